using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using EventCore.FunctionalTests.Infrastructure;

namespace EventCore.FunctionalTests;

/// <summary>Static files beyond a plain GET: conditional requests, ranges (sendfile with an offset), large bodies both ways.</summary>
public abstract partial class HttpConformanceTests
{
    [Fact(Timeout = TestTimeout)]
    public async Task ConditionalGetIs304WithoutABody()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);
        await connection.SendAsync("GET /site.css HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
        var first = await connection.ReadResponseAsync(ct);
        Assert.Equal(200, first.StatusCode);

        // The pipelined GET after it would misparse if the 304 carried body bytes.
        await connection.SendAsync($"GET /site.css HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: {first["ETag"]}\r\n\r\n{GetPlaintext}", ct);
        var notModified = await connection.ReadResponseAsync(ct);
        var next = await connection.ReadResponseAsync(ct);

        Assert.Equal(304, notModified.StatusCode);
        Assert.Equal(first["ETag"], notModified["ETag"]);
        Assert.Equal((200, "Hello, World!"), (next.StatusCode, next.BodyText));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task PipelinedStaticFilesAndBufferedResponsesKeepTheirOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var css = await File.ReadAllBytesAsync(Path.Combine(WebRoot.SampleWebRoot, "site.css"), ct);
        var html = await File.ReadAllBytesAsync(Path.Combine(WebRoot.SampleWebRoot, "index.html"), ct);
        using var connection = await ConnectAsync(ct);

        // Files go out through SendFileAsync, the rest through the buffered writer: the two must not overtake each other.
        await connection.SendAsync(
            GetPlaintext + "GET /site.css HTTP/1.1\r\nHost: localhost\r\n\r\n" + GetPlaintext +
            "HEAD /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n" + "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n" + GetPlaintext,
            ct);

        Assert.Equal("Hello, World!", (await connection.ReadResponseAsync(ct)).BodyText);
        Assert.Equal(css, (await connection.ReadResponseAsync(ct)).Body);
        Assert.Equal("Hello, World!", (await connection.ReadResponseAsync(ct)).BodyText);
        var head = await connection.ReadResponseAsync(ct, isHeadRequest: true);
        Assert.Equal(html.Length.ToString(CultureInfo.InvariantCulture), head["Content-Length"]);
        Assert.Equal(html, (await connection.ReadResponseAsync(ct)).Body);
        Assert.Equal("Hello, World!", (await connection.ReadResponseAsync(ct)).BodyText);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task LargeFileFollowedByPipelinedRequestIsServedInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var expectedHash = WebRoot.LargeFileSha256;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync($"GET /{TestWebRoot.LargeFileName} HTTP/1.1\r\nHost: localhost\r\n\r\n{GetPlaintext}", ct);
        var large = await connection.ReadResponseAsync(ct);
        var next = await connection.ReadResponseAsync(ct);

        Assert.Equal(200, large.StatusCode);
        Assert.Equal(Convert.ToHexString(expectedHash), Convert.ToHexString(SHA256.HashData(large.Body)));
        Assert.Equal((200, "Hello, World!"), (next.StatusCode, next.BodyText));
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData(0, 99)]
    [InlineData(50_000_017, 50_100_016)]
    [InlineData(TestWebRoot.LargeFileSize - 10, TestWebRoot.LargeFileSize - 1)]
    public async Task RangeOfLargeFileIsServedFromTheRightOffset(long first, long last)
    {
        var ct = TestContext.Current.CancellationToken;
        _ = WebRoot.LargeFileSha256; // makes the file
        var expected = new byte[last - first + 1];
        await using (var file = File.OpenRead(Path.Combine(WebRoot.RootPath, TestWebRoot.LargeFileName)))
        {
            file.Position = first;
            await file.ReadExactlyAsync(expected, ct);
        }

        using var client = CreateClient(await DefaultAppAsync());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/" + TestWebRoot.LargeFileName);
        request.Headers.Range = new RangeHeaderValue(first, last);
        using var response = await client.SendAsync(request, ct);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(
            string.Create(CultureInfo.InvariantCulture, $"bytes {first}-{last}/{TestWebRoot.LargeFileSize}"),
            response.Content.Headers.ContentRange?.ToString());
        Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync(ct));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task LargeUploadIsEchoedWhileStillUploading()
    {
        var ct = TestContext.Current.CancellationToken;
        var payload = new byte[8 * 1024 * 1024];
        new Random(7).NextBytes(payload);
        using var connection = await ConnectAsync(ct);

        // Full duplex: the echo streams back while the upload goes on, and the response is read at the same time,
        // so neither side's socket buffers have to hold the 8 MB.
        var uploading = Task.Run(
            async () =>
            {
                await connection.SendAsync($"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\nContent-Length: {payload.Length}\r\n\r\n", ct);
                await connection.SendAsync(payload, ct);
            },
            ct);
        var response = await connection.ReadResponseAsync(ct);
        await uploading;

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(payload.Length.ToString(CultureInfo.InvariantCulture), response["Content-Length"]);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(payload)), Convert.ToHexString(SHA256.HashData(response.Body)));
    }
}

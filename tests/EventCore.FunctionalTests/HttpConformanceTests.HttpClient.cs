using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using EventCore.FunctionalTests.Infrastructure;

namespace EventCore.FunctionalTests;

/// <summary>The sample's endpoints through HttpClient (SocketsHttpHandler).</summary>
public abstract partial class HttpConformanceTests
{
    [Fact(Timeout = TestTimeout)]
    public async Task PlaintextReturnsHelloWorld()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = CreateClient(await DefaultAppAsync());

        using var response = await client.GetAsync("/plaintext", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(1, 1), response.Version);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(13, response.Content.Headers.ContentLength);
        Assert.Equal("Hello, World!", await response.Content.ReadAsStringAsync(ct));
        Assert.Equal(ExpectedServerHeader, response.Headers.Server.ToString());
        Assert.NotNull(response.Headers.Date);
        Assert.InRange(response.Headers.Date.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task JsonReturnsMessage()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = CreateClient(await DefaultAppAsync());

        using var response = await client.GetAsync("/json", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("""{"message":"Hello, World!"}""", await response.Content.ReadAsStringAsync(ct));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task HeadPlaintextHasHeadersButNoBody()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = CreateClient(await DefaultAppAsync());

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/plaintext"), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(13, response.Content.Headers.ContentLength);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(ct));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task EchoReturnsBodyWithSameContentType()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = CreateClient(await DefaultAppAsync());
        using var content = new StringContent("ping \u00e9\u00e8 pong", Encoding.UTF8, "application/x-test");

        using var response = await client.PostAsync("/echo", content, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-test; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(Encoding.UTF8.GetByteCount("ping \u00e9\u00e8 pong"), response.Content.Headers.ContentLength);
        Assert.Equal("ping \u00e9\u00e8 pong", await response.Content.ReadAsStringAsync(ct));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task EchoOfChunkedUploadStreamsSameBytesBack()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = CreateClient(await DefaultAppAsync());
        var payload = RandomNumberGenerator.GetBytes(256 * 1024);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/echo") { Content = new UnknownLengthContent(payload, pieceSize: 10_000) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.ToString());
        Assert.Null(response.Content.Headers.ContentLength);
        Assert.True(response.Headers.TransferEncodingChunked, "A response of unknown length to HTTP/1.1 is chunked.");
        Assert.Equal(payload, await response.Content.ReadAsByteArrayAsync(ct));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task UnknownPathIs404()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = CreateClient(await DefaultAppAsync());

        using var response = await client.GetAsync("/no-such-path", ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("POST", "/plaintext", "GET, HEAD")]
    [InlineData("DELETE", "/json", "GET")]
    [InlineData("GET", "/echo", "POST")]
    public async Task WrongMethodIs405WithAllow(string method, string path, string allow)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = CreateClient(await DefaultAppAsync());

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task KeepAliveServesManyRequestsOnOneConnection()
    {
        var ct = TestContext.Current.CancellationToken;
        var connections = new StrongBox<int>();
        using var client = CreateClient(await DefaultAppAsync(), connections);

        for (var i = 0; i < 100; i++)
        {
            using var response = await client.GetAsync(i % 2 == 0 ? "/plaintext" : "/json", ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.ConnectionClose ?? false);
            await response.Content.ReadAsByteArrayAsync(ct);
        }

        Assert.Equal(1, connections.Value);
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("/index.html", "text/html")]
    [InlineData("/site.css", "text/css")]
    public async Task StaticFileIsServedWithItsContentType(string path, string mediaType)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = CreateClient(await DefaultAppAsync());

        using var response = await client.GetAsync(path, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        var expected = await File.ReadAllBytesAsync(Path.Combine(WebRoot.SampleWebRoot, path.TrimStart('/')), ct);
        Assert.Equal(expected.Length, response.Content.Headers.ContentLength);
        Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync(ct));
        Assert.NotNull(response.Headers.ETag);
        Assert.NotNull(response.Content.Headers.LastModified);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task LargeStaticFileIsServedIntact()
    {
        var ct = TestContext.Current.CancellationToken;
        var expectedHash = WebRoot.LargeFileSha256;
        using var client = CreateClient(await DefaultAppAsync());

        using var response = await client.GetAsync("/" + TestWebRoot.LargeFileName, HttpCompletionOption.ResponseHeadersRead, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TestWebRoot.LargeFileSize, response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        Assert.Equal(Convert.ToHexString(expectedHash), Convert.ToHexString(await SHA256.HashDataAsync(body, ct)));
    }
}

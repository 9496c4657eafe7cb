using System.Text;
using EventCore.FunctionalTests.Infrastructure;

namespace EventCore.FunctionalTests;

/// <summary>Request and response bodies on the wire: chunked both ways, Expect: 100-continue.</summary>
public abstract partial class HttpConformanceTests
{
    [Fact(Timeout = TestTimeout)]
    public async Task ChunkedRequestBodyWithExtensionsAndTrailersIsDecoded()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync(
            "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "5\r\nHello\r\n" +
            "2;name=value\r\n, \r\n" +
            "6;a;b=\"quoted\"\r\nWorld!\r\n" +
            "0\r\nX-Trailer: done\r\n\r\n",
            ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("text/plain", response["Content-Type"]);
        Assert.Equal("Hello, World!", response.BodyText);
        Assert.True(await connection.StaysOpenAndSilentForAsync(TimeSpan.FromMilliseconds(200), ct), "Keep-alive goes on after a chunked body.");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task EchoOfChunkedRequestIsStreamedAsChunkedResponse()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        // Only the first chunk is sent: the app can only echo it if the server streams the request body to it
        // and streams the response out without knowing its length, i.e. chunked.
        await connection.SendAsync("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\nA\r\nfirst part\r\n", ct);
        var head = await connection.ReadHeadAsync(ct);
        Assert.Equal(200, head.StatusCode);
        Assert.Equal("chunked", head["Transfer-Encoding"]);
        Assert.Null(head["Content-Length"]);
        Assert.Equal("first part", Encoding.ASCII.GetString(await connection.ReadChunkAsync(ct)));

        await connection.SendAsync("C\r\n second part\r\n0\r\n\r\n", ct);
        var rest = await connection.ReadChunkedBodyAsync(ct);

        Assert.Equal(" second part", Encoding.ASCII.GetString(rest));
        await connection.SendAsync(GetPlaintext, ct);
        Assert.Equal("Hello, World!", (await connection.ReadResponseAsync(ct)).BodyText);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Expect100ContinueIsSentWhenTheAppReadsTheBody()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", ct);
        var interim = await connection.ReadResponseAsync(ct);
        await connection.SendAsync("hello", ct);
        var final = await connection.ReadResponseAsync(ct);

        Assert.Equal((100, "HTTP/1.1"), (interim.StatusCode, interim.Version));
        Assert.Equal((200, "hello"), (final.StatusCode, final.BodyText));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Expect100ContinueIsNotSentWhenTheAppDoesNotReadTheBody()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        // /plaintext never reads a body: the final response comes straight away, with no 100 before it.
        await connection.SendAsync("GET /plaintext HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.Equal((200, "Hello, World!"), (response.StatusCode, response.BodyText));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Expect100ContinueIsNeverSentToHttp10()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync("POST /echo HTTP/1.0\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", ct);
        Assert.True(await connection.StaysOpenAndSilentForAsync(TimeSpan.FromMilliseconds(500), ct), $"No 100 Continue to HTTP/1.0; got:\n{connection.Transcript}");
        await connection.SendAsync("hello", ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.Equal((200, "hello"), (response.StatusCode, response.BodyText));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task BodyAtTheLimitIsAccepted()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await RawConnection.ConnectAsync(await LimitedAppAsync(), ct);
        var body = new string('x', (int)ServerHosts.SmallLimits.MaxRequestBodySize);

        await connection.SendAsync($"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: {body.Length}\r\n\r\n{body}", ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.Equal((200, body), (response.StatusCode, response.BodyText));
    }
}

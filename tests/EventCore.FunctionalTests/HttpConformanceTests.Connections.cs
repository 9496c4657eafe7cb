using System.Globalization;
using System.Text;
using EventCore.FunctionalTests.Infrastructure;

namespace EventCore.FunctionalTests;

/// <summary>Raw transcripts: keep-alive, pipelining, byte-at-a-time input, Connection: close, HTTP/1.0, HEAD.</summary>
public abstract partial class HttpConformanceTests
{
    private const string GetPlaintext = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n";

    [Fact(Timeout = TestTimeout)]
    public async Task KeepAliveServesSequentialRequestsOnOneConnection()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        for (var i = 0; i < 50; i++)
        {
            await connection.SendAsync(GetPlaintext, ct);
            var response = await connection.ReadResponseAsync(ct);
            Assert.Equal(200, response.StatusCode);
            Assert.Equal("HTTP/1.1", response.Version);
            Assert.Equal("Hello, World!", response.BodyText);
            Assert.False(response.HasConnectionOption("close"), response.ToString());
        }

        Assert.True(await connection.StaysOpenAndSilentForAsync(TimeSpan.FromMilliseconds(200), ct));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task HundredPipelinedRequestsInOneWriteGetHundredResponses()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync(string.Concat(Enumerable.Repeat(GetPlaintext, 100)), ct);

        for (var i = 0; i < 100; i++)
        {
            var response = await connection.ReadResponseAsync(ct);
            Assert.True(response.StatusCode == 200 && response.BodyText == "Hello, World!", $"Response #{i}:\n{response}");
        }

        Assert.True(await connection.StaysOpenAndSilentForAsync(TimeSpan.FromMilliseconds(200), ct), "No bytes beyond the 100 responses.");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task PipelinedMixedRequestsAreAnsweredInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);
        var batch = new StringBuilder();
        for (var i = 0; i < 10; i++)
        {
            batch.Append(GetPlaintext)
                .Append("GET /json HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .Append(CultureInfo.InvariantCulture, $"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/x-n\r\nContent-Length: {$"body {i}".Length}\r\n\r\nbody {i}")
                .Append("HEAD /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .Append("GET /missing HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .Append("POST /json HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n0123456789"); // 405; its unread body is skipped
        }

        await connection.SendAsync(batch.ToString(), ct);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("Hello, World!", (await connection.ReadResponseAsync(ct)).BodyText);
            Assert.Equal("""{"message":"Hello, World!"}""", (await connection.ReadResponseAsync(ct)).BodyText);
            var echo = await connection.ReadResponseAsync(ct);
            Assert.Equal(("text/x-n", $"body {i}"), (echo["Content-Type"], echo.BodyText));
            var head = await connection.ReadResponseAsync(ct, isHeadRequest: true);
            Assert.Equal((200, "13"), (head.StatusCode, head["Content-Length"]));
            Assert.Equal(404, (await connection.ReadResponseAsync(ct)).StatusCode);
            Assert.Equal(405, (await connection.ReadResponseAsync(ct)).StatusCode);
        }

        Assert.True(await connection.StaysOpenAndSilentForAsync(TimeSpan.FromMilliseconds(200), ct));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task RequestSentOneByteAtATimeIsParsed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendByteByByteAsync("GET /plaintext HTTP/1.1\r\nHost: localhost\r\nAccept: text/plain\r\n\r\n", TimeSpan.FromMilliseconds(2), ct);
        var get = await connection.ReadResponseAsync(ct);
        await connection.SendByteByByteAsync("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world", TimeSpan.FromMilliseconds(2), ct);
        var post = await connection.ReadResponseAsync(ct);
        await connection.SendByteByByteAsync("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n", TimeSpan.FromMilliseconds(2), ct);
        var chunked = await connection.ReadResponseAsync(ct);

        Assert.Equal((200, "Hello, World!"), (get.StatusCode, get.BodyText));
        Assert.Equal((200, "hello world"), (post.StatusCode, post.BodyText));
        Assert.Equal((200, "hello world"), (chunked.StatusCode, chunked.BodyText));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ConnectionCloseInAPipelinedBatchEndsTheBatch()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync(GetPlaintext + "GET /json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" + GetPlaintext, ct);
        var first = await connection.ReadResponseAsync(ct);
        var last = await connection.ReadResponseAsync(ct);

        Assert.Equal("Hello, World!", first.BodyText);
        Assert.Equal("""{"message":"Hello, World!"}""", last.BodyText);
        Assert.True(await connection.WaitForServerCloseAsync(CloseTimeout, ct), "The request after 'Connection: close' must not be answered.");
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("header name in odd case", "hOsT: localhost\r\nX-LoWeR: a\r\n")]
    [InlineData("empty value", "Host: localhost\r\nX-Empty:\r\n")]
    [InlineData("tabs and spaces as OWS", "Host: localhost\r\nX-Ows: \t value \t\r\n")]
    [InlineData("repeated field", "Host: localhost\r\nAccept: text/plain\r\nAccept: */*\r\n")]
    [InlineData("Host with port", "Host: localhost:8080\r\n")]
    public async Task ValidHeaderEdgeCasesAreAccepted(string edge, string headers)
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync($"GET /plaintext HTTP/1.1\r\n{headers}\r\n", ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.True(response.StatusCode == 200, $"[{edge}] expected 200, got:\n{response}");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ObsTextInAHeaderValueIsAccepted()
    {
        RequireEventCore("RFC 9110 §5.5 allows obs-text (0x80-0xFF) in field values; Kestrel rejects non-ASCII header bytes by default.");
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync("GET /plaintext HTTP/1.1\r\nHost: localhost\r\nX-Latin1: caf\u00e9 \u00ff\r\n\r\n", ct);

        Assert.Equal(200, (await connection.ReadResponseAsync(ct)).StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ConnectionCloseIsHonoured()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync("GET /plaintext HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.Equal((200, "Hello, World!"), (response.StatusCode, response.BodyText));
        Assert.True(response.HasConnectionOption("close"), response.ToString());
        Assert.True(await connection.WaitForServerCloseAsync(CloseTimeout, ct), "The server kept the connection open after Connection: close.");
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("/plaintext", "Hello, World!")]
    [InlineData("/json", """{"message":"Hello, World!"}""")]
    public async Task Http10RequestGetsCompatibleResponseThenClose(string path, string body)
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync($"GET {path} HTTP/1.0\r\n\r\n", ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.Equal(200, response.StatusCode);
        Assert.StartsWith("HTTP/1.", response.Version, StringComparison.Ordinal);
        Assert.False(response.IsChunked, $"HTTP/1.0 never gets a chunked response:\n{response}");
        Assert.Empty(response.GetValues("Transfer-Encoding"));
        Assert.Equal(body, response.BodyText);
        Assert.True(await connection.WaitForServerCloseAsync(CloseTimeout, ct), "HTTP/1.0 without keep-alive must be closed.");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Http10KeepAliveIsHonouredWhenAsked()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", ct);
        var first = await connection.ReadResponseAsync(ct);
        await connection.SendAsync("GET /plaintext HTTP/1.0\r\n\r\n", ct);
        var second = await connection.ReadResponseAsync(ct);

        Assert.Equal((200, "Hello, World!"), (first.StatusCode, first.BodyText));
        Assert.True(first.HasConnectionOption("keep-alive"), $"A kept-alive HTTP/1.0 response says so:\n{first}");
        Assert.Equal((200, "Hello, World!"), (second.StatusCode, second.BodyText));
        Assert.True(await connection.WaitForServerCloseAsync(CloseTimeout, ct));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task HeadResponseHasContentLengthAndNoBodyBytes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync("HEAD /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n" + GetPlaintext, ct);
        var head = await connection.ReadResponseAsync(ct, isHeadRequest: true);
        var get = await connection.ReadResponseAsync(ct); // would misparse if HEAD had sent body bytes

        Assert.Equal(200, head.StatusCode);
        Assert.Equal("13", head["Content-Length"]);
        Assert.Equal("text/plain", head["Content-Type"]);
        Assert.Equal((200, "Hello, World!"), (get.StatusCode, get.BodyText));
        Assert.Equal(
            get.Headers.Where(h => h.Key != "Date").Select(h => h.Key.ToUpperInvariant()),
            head.Headers.Where(h => h.Key != "Date").Select(h => h.Key.ToUpperInvariant()));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task AbsoluteFormTargetIsServed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync("GET http://localhost/plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.Equal((200, "Hello, World!"), (response.StatusCode, response.BodyText));
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("/plain%74ext")]
    [InlineData("/plaintext?query=1&other=%20")]
    [InlineData("/./plaintext")]
    [InlineData("/json/../plaintext")]
    public async Task TargetIsDecodedAndNormalized(string target)
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync($"GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.Equal((200, "Hello, World!"), (response.StatusCode, response.BodyText));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task UnreadBodyBeyondTheDrainLimitClosesTheConnection()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        // /json answers 405 without reading the body; 200 KiB are announced and only the head is sent. EventCore
        // closes at once (over MaxRequestBodyDrainSize, 64 KiB); Kestrel closes when its 5 s drain timeout ends.
        await connection.SendAsync("POST /json HTTP/1.1\r\nHost: localhost\r\nContent-Length: 204800\r\n\r\n", ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.Equal(405, response.StatusCode);
        Assert.True(await connection.WaitForServerCloseAsync(2 * CloseTimeout, ct), $"An unread body over the drain limit must end the connection:\n{response}");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ResponsesCarryServerAndDateHeaders()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync(GetPlaintext, ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.Equal(ExpectedServerHeader, response["Server"]);
        Assert.True(DateTimeOffset.TryParseExact(response["Date"], "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _), $"Date is an IMF-fixdate:\n{response}");
    }
}

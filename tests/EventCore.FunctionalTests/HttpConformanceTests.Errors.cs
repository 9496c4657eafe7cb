using EventCore.FunctionalTests.Infrastructure;

namespace EventCore.FunctionalTests;

/// <summary>
/// Every error status on the wire. Framing errors are answered with a correct Content-Length and
/// Connection: close, and the connection is closed, never re-synchronised.
/// </summary>
public abstract partial class HttpConformanceTests
{
    private const string Echo = "POST /echo HTTP/1.1\r\nHost: localhost\r\n";

    [Theory(Timeout = TestTimeout)]
    [InlineData("no spaces in request line", "GARBAGE\r\n\r\n")]
    [InlineData("empty target", "GET  HTTP/1.1\r\nHost: localhost\r\n\r\n")]
    [InlineData("control char in method", "G\u0001T /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n")]
    [InlineData("space in header name", "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nBad Header: x\r\n\r\n")]
    [InlineData("whitespace before colon", "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nX-Test : x\r\n\r\n")]
    [InlineData("header line without colon", "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nNoColonHere\r\n\r\n")]
    [InlineData("obs-fold", "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nX-Folded: a\r\n b\r\n\r\n")]
    [InlineData("CR inside header value", "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nX-Test: a\rb\r\n\r\n")]
    [InlineData("NUL inside header value", "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nX-Test: a\0b\r\n\r\n")]
    [InlineData("HTTP/1.1 without Host", "GET /plaintext HTTP/1.1\r\n\r\n")]
    [InlineData("two Host fields", "GET /plaintext HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")]
    [InlineData("negative Content-Length", Echo + "Content-Length: -1\r\n\r\n")]
    [InlineData("non-digit Content-Length", Echo + "Content-Length: 5x\r\n\r\nhello")]
    [InlineData("overflowing Content-Length", Echo + "Content-Length: 99999999999999999999999\r\n\r\n")]
    [InlineData("differing Content-Lengths", Echo + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")]
    [InlineData("chunked not the final coding", Echo + "Transfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("only coding unknown (gzip): chunked not final, RFC 9112 §6.3 MUST 400", Echo + "Transfer-Encoding: gzip\r\n\r\nabc")]
    [InlineData("non-hex chunk size", Echo + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")]
    [InlineData("chunk data without CRLF", Echo + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n")]
    public async Task MalformedRequestIs400AndCloses(string defect, string request)
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync(request, ct);

        await AssertErrorAndCloseAsync(connection, 400, defect, ct);
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("inside the request line", "GET /plain")]
    [InlineData("after the request line", "GET /plaintext HTTP/1.1\r\n")]
    [InlineData("inside a header line", "GET /plaintext HTTP/1.1\r\nHost: local")]
    [InlineData("before the empty line", "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n")]
    public async Task HeadCutShortByTheClientsFinIs400AndCloses(string where, string partialHead)
    {
        RequireEventCore("Kestrel answers a head cut short by FIN with 400 only at times (it depends on where the cut falls and on whether the FIN arrives with the data).");
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync(partialHead, ct);
        connection.ShutdownSend(); // half-close: the client still reads the answer

        await AssertErrorAndCloseAsync(connection, 400, where, ct);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task FinBetweenRequestsClosesWithoutAnAnswer()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);
        await connection.SendAsync("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
        var response = await connection.ReadResponseAsync(ct);
        Assert.Equal(200, response.StatusCode);

        connection.ShutdownSend();

        Assert.Empty(await connection.ReadToEndAsync(ct));
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("POST")]
    [InlineData("PUT")]
    public async Task Http10PostOrPutWithoutALengthIs400AndCloses(string method)
    {
        // HTTP/1.0 has no chunked coding, so a request body would have to end with the connection, which cannot carry
        // the answer: Kestrel rejects a POST or PUT that gives no Content-Length (its "Length Required" message, 400).
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync($"{method} /echo HTTP/1.0\r\nContent-Type: text/plain\r\n\r\nhello", ct);

        await AssertErrorAndCloseAsync(connection, 400, $"HTTP/1.0 {method} without Content-Length", ct);
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("control char in target", "GET /plain\u0001text HTTP/1.1\r\nHost: localhost\r\n\r\n")]
    [InlineData("CL + TE", Echo + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("signed Content-Length", Echo + "Content-Length: +5\r\n\r\nhello")]
    [InlineData("overflowing chunk size", Echo + "Transfer-Encoding: chunked\r\n\r\n10000000000000000000\r\nhello\r\n0\r\n\r\n")]
    public async Task StrictFramingRejectsWhatKestrelToleratesWith400AndClose(string defect, string request)
    {
        // Kestrel routes a target holding a control character, processes CL + TE by TE (RFC 9112 §6.3 allows it),
        // accepts "+5" as a Content-Length, and answers an overflowing chunk size with 500; EventCore's strict framing (DESIGN §5) answers 400 and closes.
        RequireEventCore("strict framing: " + defect);
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync(request, ct);

        await AssertErrorAndCloseAsync(connection, 400, defect, ct);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task UnknownTransferCodingBeforeChunkedIs501AndCloses()
    {
        RequireEventCore("RFC 9112 §6.1 (SHOULD 501 for a coding the server does not understand); Kestrel decodes the chunked layer and hands the app the gzip bytes.");
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync(Echo + "Transfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", ct);

        await AssertErrorAndCloseAsync(connection, 501, "Transfer-Encoding: gzip, chunked", ct);
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("HTTP/2.0")]
    [InlineData("HTTP/3.0")]
    public async Task Http2OrLaterIs505AndCloses(string version)
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync($"GET /plaintext {version}\r\nHost: localhost\r\n\r\n", ct);

        await AssertErrorAndCloseAsync(connection, 505, version, ct);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Http12IsServedAsHttp11()
    {
        RequireEventCore("RFC 9110 §6.2 lets a server answer HTTP/1.x (x > 1) as 1.1; Kestrel answers 505.");
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync("GET /plaintext HTTP/1.2\r\nHost: localhost\r\n\r\n", ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.Equal(("HTTP/1.1", 200, "Hello, World!"), (response.Version, response.StatusCode, response.BodyText));
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("target > 8 KiB", 414)]
    [InlineData("header section > 32 KiB", 431)]
    [InlineData("> 100 header fields", 431)]
    public async Task RequestOverALimitIsRejectedAndCloses(string limit, int status)
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync(SizedRequest(limit), ct);

        await AssertErrorAndCloseAsync(connection, status, limit, ct);
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("target of 7 KiB")]
    [InlineData("header section of 30 KiB")]
    [InlineData("100 header fields")]
    public async Task RequestJustWithinALimitIsServed(string size)
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync(SizedRequest(size), ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.True(response.StatusCode == 200, $"[{size}] expected 200, got:\n{response}");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task HeaderLineOver8KiBIs431AndCloses()
    {
        RequireEventCore("EventCore limits a single header line to 8 KiB; Kestrel only limits the header section (32 KiB).");
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync(SizedRequest("header line > 8 KiB"), ct);

        await AssertErrorAndCloseAsync(connection, 431, "header line > 8 KiB", ct);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task UnknownPathIs404AndKeepsTheConnection()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync("GET /no-such-path HTTP/1.1\r\nHost: localhost\r\n\r\n" + GetPlaintext, ct);
        var notFound = await connection.ReadResponseAsync(ct);
        var next = await connection.ReadResponseAsync(ct);

        Assert.Equal(404, notFound.StatusCode);
        AssertContentLengthMatchesBody(notFound);
        Assert.Equal(200, next.StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task WrongMethodIs405WithAllowOnTheWire()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await ConnectAsync(ct);

        await connection.SendAsync("PUT /plaintext HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.Equal(405, response.StatusCode);
        Assert.Equal("GET, HEAD", response["Allow"]);
        AssertContentLengthMatchesBody(response);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task BodyOverTheLimitIs413AndCloses()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await RawConnection.ConnectAsync(await LimitedAppAsync(), ct);

        // Only the head is sent: the server can refuse from Content-Length alone.
        await connection.SendAsync(Echo + "Content-Length: 2048\r\n\r\n", ct);

        await AssertErrorAndCloseAsync(connection, 413, "Content-Length 2048 > limit 1024", ct);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ChunkedBodyOverTheLimitIs413AndCloses()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await RawConnection.ConnectAsync(await LimitedAppAsync(), ct);

        await connection.SendAsync(Echo + $"Transfer-Encoding: chunked\r\n\r\n800\r\n{new string('x', 0x800)}\r\n0\r\n\r\n", ct);

        await AssertErrorAndCloseAsync(connection, 413, "chunked body 2048 > limit 1024", ct);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Expect100ContinueIsNotSentWhenTheAnswerIs413()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await RawConnection.ConnectAsync(await LimitedAppAsync(), ct);

        await connection.SendAsync(Echo + "Content-Length: 2048\r\nExpect: 100-continue\r\n\r\n", ct);

        await AssertErrorAndCloseAsync(connection, 413, "Expect: 100-continue with Content-Length over the limit", ct);
    }

    private static async Task AssertErrorAndCloseAsync(RawConnection connection, int expectedStatus, string defect, CancellationToken cancellationToken)
    {
        try
        {
            await ReadErrorAndCloseAsync(connection, expectedStatus, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"[{defect}] {e.Message}", e);
        }
    }

    /// <summary>A GET /plaintext sized against the default limits (8 KiB line, 32 KiB headers, 100 fields).</summary>
    private static string SizedRequest(string size)
    {
        var (query, headers) = size switch
        {
            "target > 8 KiB" => (new string('a', 8 * 1024), ""),
            "target of 7 KiB" => (new string('a', 7 * 1024), ""),
            "header line > 8 KiB" => ("", $"X-Big: {new string('b', 8 * 1024)}\r\n"),
            "header section > 32 KiB" => ("", Fields(6, i => $"X-Big-{i}: {new string('b', 6 * 1024)}")),
            "header section of 30 KiB" => ("", Fields(5, i => $"X-Big-{i}: {new string('b', 6 * 1024)}")),
            "> 100 header fields" => ("", Fields(100, i => $"X-H{i}: {i}")), // plus Host: 101
            "100 header fields" => ("", Fields(99, i => $"X-H{i}: {i}")),
            _ => throw new ArgumentOutOfRangeException(nameof(size), size, null),
        };
        return $"GET /plaintext?{query} HTTP/1.1\r\nHost: localhost\r\n{headers}\r\n";

        static string Fields(int count, Func<int, string> field) => string.Concat(Enumerable.Range(0, count).Select(i => field(i) + "\r\n"));
    }
}

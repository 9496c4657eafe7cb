using EventCore.FunctionalTests.Infrastructure;

namespace EventCore.FunctionalTests;

/// <summary>
/// What the server owes the app beyond bytes: RequestAborted, OnStarting/OnCompleted, cookies set late,
/// exceptions, graceful shutdown. These run on <see cref="TestApp"/>, a fresh in-test app per case.
/// </summary>
public abstract partial class HttpConformanceTests
{
    private const string HooksRequest = "GET /hooks HTTP/1.1\r\nHost: localhost\r\n\r\n";

    private static readonly TimeSpan s_signalTimeout = TimeSpan.FromSeconds(15);

    [Fact(Timeout = TestTimeout)]
    public async Task RequestAbortedFiresWhenTheClientDisconnects()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await TestApp.StartAsync(Server, ct);
        using var connection = await RawConnection.ConnectAsync(app.EndPoint, ct);

        await connection.SendAsync("GET /wait-for-abort HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
        await app.WaitingForAbort.Task.WaitAsync(s_signalTimeout, ct);
        connection.Dispose();

        await app.RequestAborted.Task.WaitAsync(s_signalTimeout, ct);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task OnStartingCanSetHeadersAndCookiesAndOnCompletedRuns()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await TestApp.StartAsync(Server, ct);
        using var connection = await RawConnection.ConnectAsync(app.EndPoint, ct);

        await connection.SendAsync(HooksRequest, ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.Equal((200, "hooks"), (response.StatusCode, response.BodyText));
        Assert.Equal("ran", response["X-On-Starting"]);
        Assert.Equal("session=abc123; path=/; httponly", response["Set-Cookie"]);
        await app.HooksCompleted.Task.WaitAsync(s_signalTimeout, ct);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task EachRequestsActivityStartsWithoutTheLastOneAsItsParent()
    {
        // Hosting makes the request's Activity current when it creates its context, and stops it at the end. Whatever
        // the server's request loop carries from one request to the next must not keep the last one current: the
        // next request's Activity would be made its child, chaining every request of a connection into one trace.
        // The endpoint awaits, so the request ends asynchronously (the path that once kept it).
        var ct = TestContext.Current.CancellationToken;
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllData,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        await AssertEachRequestOnOneConnectionFindsNoneAsync("/activity-parent", ct);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task AnAsyncLocalTheAppSetsWithoutAwaitingEndsWithItsRequest()
    {
        // The request runs without an async method between the server's loop and a synchronous endpoint: what the
        // endpoint sets in the execution context must still end with the request, not be seen by the next one.
        await AssertEachRequestOnOneConnectionFindsNoneAsync("/async-local", TestContext.Current.CancellationToken);
    }

    /// <summary>Three requests for <paramref name="path"/> on one keep-alive connection: each must answer "none".</summary>
    private async Task AssertEachRequestOnOneConnectionFindsNoneAsync(string path, CancellationToken ct)
    {
        await using var app = await TestApp.StartAsync(Server, ct);
        using var connection = await RawConnection.ConnectAsync(app.EndPoint, ct);
        for (var i = 0; i < 3; i++)
        {
            await connection.SendAsync($"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
            var response = await connection.ReadResponseAsync(ct);
            Assert.Equal((200, "none"), (response.StatusCode, response.BodyText));
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task StreamedResponseIsChunkedForHttp11()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await TestApp.StartAsync(Server, ct);
        using var connection = await RawConnection.ConnectAsync(app.EndPoint, ct);

        await connection.SendAsync("GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.Equal(200, response.StatusCode);
        Assert.True(response.IsChunked, $"A flushed response of unknown length is chunked:\n{response}");
        Assert.Null(response["Content-Length"]);
        Assert.Equal(string.Concat(TestApp.StreamPieces), response.BodyText);
        Assert.True(await connection.StaysOpenAndSilentForAsync(TimeSpan.FromMilliseconds(200), ct));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task StreamedResponseToHttp10IsCloseDelimited()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await TestApp.StartAsync(Server, ct);
        using var connection = await RawConnection.ConnectAsync(app.EndPoint, ct);

        await connection.SendAsync("GET /stream HTTP/1.0\r\n\r\n", ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.Equal(200, response.StatusCode);
        Assert.False(response.IsChunked, $"HTTP/1.0 never gets chunked:\n{response}");
        Assert.True(response.IsCloseDelimited, $"Unknown length to HTTP/1.0 ends with the connection:\n{response}");
        Assert.Equal(string.Concat(TestApp.StreamPieces), response.BodyText);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task HeadRequestGetsNoBodyEvenWhenTheAppRewritesItsMethod()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await TestApp.StartAsync(Server, ct);
        using var connection = await RawConnection.ConnectAsync(app.EndPoint, ct);

        // The framing follows the method the client sent, not the one the app made of it (Kestrel's way): body bytes
        // after a HEAD response would be read by the client as the start of the next response.
        await connection.SendAsync("HEAD /head-served-as-get HTTP/1.1\r\nHost: localhost\r\n\r\nGET /async-local HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
        var head = await connection.ReadResponseAsync(ct, isHeadRequest: true);
        var next = await connection.ReadResponseAsync(ct);

        Assert.Equal(200, head.StatusCode);
        Assert.Equal("", head.BodyText);
        Assert.Equal(200, next.StatusCode);
        Assert.True(await connection.StaysOpenAndSilentForAsync(TimeSpan.FromMilliseconds(200), ct), "No bytes beyond the two responses.");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task LargeJsonResponseIsSerializedIntact()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await TestApp.StartAsync(Server, ct);
        using var client = CreateClient(app.EndPoint);

        using var response = await client.GetAsync("/json-large", ct);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var items = System.Text.Json.JsonSerializer.Deserialize<List<JsonItem>>(await response.Content.ReadAsStringAsync(ct), System.Text.Json.JsonSerializerOptions.Web);
        Assert.Equal(TestApp.LargeJson, items);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ExceptionBeforeTheResponseStartsIs500()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await TestApp.StartAsync(Server, ct);
        using var connection = await RawConnection.ConnectAsync(app.EndPoint, ct);

        await connection.SendAsync("GET /throw HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
        var response = await connection.ReadResponseAsync(ct);

        Assert.Equal(500, response.StatusCode);
        AssertContentLengthMatchesBody(response);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ExceptionAfterTheResponseStartedAbortsTheConnection()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await TestApp.StartAsync(Server, ct);
        using var connection = await RawConnection.ConnectAsync(app.EndPoint, ct);

        await connection.SendAsync("GET /throw-after-start HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
        var head = await connection.ReadHeadAsync(ct);

        Assert.Equal(200, head.StatusCode);
        Assert.Equal("chunked", head["Transfer-Encoding"]);
        var error = await Assert.ThrowsAsync<IOException>(() => connection.ReadChunkedBodyAsync(ct));
        Assert.True(connection.ClosedByServer, $"The body must end without its last chunk, by the connection closing: {error.Message}");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ResponseShorterThanItsContentLengthEndsTheConnection()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await TestApp.StartAsync(Server, ct);
        using var connection = await RawConnection.ConnectAsync(app.EndPoint, ct);

        // 5 of the declared 10 bytes are flushed: the framing is broken, so the pipelined request is never answered.
        await connection.SendAsync($"GET /declared-10-bytes/5 HTTP/1.1\r\nHost: localhost\r\n\r\n{HooksRequest}", ct);
        var head = await connection.ReadHeadAsync(ct);
        var rest = await connection.ReadToEndAsync(ct);

        Assert.Equal((200, "10"), (head.StatusCode, head["Content-Length"]));
        Assert.True(rest.Length < 10, $"The body must end short, by the connection closing; got {rest.Length} bytes:\n{connection.Transcript}");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ResponseLongerThanItsContentLengthIsNeverSent()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await TestApp.StartAsync(Server, ct);
        using var connection = await RawConnection.ConnectAsync(app.EndPoint, ct);

        await connection.SendAsync($"GET /declared-10-bytes/20 HTTP/1.1\r\nHost: localhost\r\n\r\n{HooksRequest}", ct);
        var head = await connection.ReadHeadAsync(ct);

        if (head.StatusCode == 500)
        {
            // Refused before anything was sent (Kestrel's way): a clean 500, then either a close it announced or
            // a connection that goes on.
            Assert.Equal("0", head["Content-Length"]);
            if (head.HasConnectionOption("close"))
            {
                Assert.True(await connection.WaitForServerCloseAsync(CloseTimeout, ct), head.ToString());
                return;
            }

            var hooks = await connection.ReadResponseAsync(ct);
            Assert.Equal((200, "hooks"), (hooks.StatusCode, hooks.BodyText));
            return;
        }

        var rest = await connection.ReadToEndAsync(ct);
        Assert.Equal((200, "10"), (head.StatusCode, head["Content-Length"]));
        Assert.True(rest.Length <= 10, $"No more than the declared 10 bytes may follow the head (the rest would be read as the next response); got {rest.Length}:\n{connection.Transcript}");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task GracefulShutdownCompletesRequestsInFlightThenRefusesConnections()
    {
        const int inFlight = 10;
        var ct = TestContext.Current.CancellationToken;
        await using var app = await TestApp.StartAsync(Server, ct);
        var connections = new List<RawConnection>();
        using var idle = await RawConnection.ConnectAsync(app.EndPoint, ct);
        try
        {
            await idle.SendAsync("GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
            Assert.Equal(200, (await idle.ReadResponseAsync(ct)).StatusCode);
            for (var i = 0; i < inFlight; i++)
            {
                connections.Add(await RawConnection.ConnectAsync(app.EndPoint, ct));
                await connections[^1].SendAsync("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
            }

            while (app.SlowStarted < inFlight)
            {
                await Task.Delay(20, ct);
            }

            var stopping = app.StopAsync(ct);
            // Nothing may end the stop while the requests are held: a stall only makes this look later.
            await Task.Delay(500, ct);
            Assert.False(stopping.IsCompleted, "StopAsync returned while requests were still in flight.");
            await AssertRefusedAsync(app, "while draining");
            Assert.False(stopping.IsCompleted, "StopAsync returned while requests were still in flight.");
            app.ReleaseSlow.SetResult();

            var responses = await Task.WhenAll(connections.Select(c => c.ReadResponseAsync(ct)));
            await stopping.WaitAsync(TimeSpan.FromSeconds(20), ct);

            Assert.All(responses, r => Assert.Equal((200, "slow done"), (r.StatusCode, r.BodyText)));
            Assert.True(await idle.WaitForServerCloseAsync(CloseTimeout, ct), "An idle keep-alive connection outlived the shutdown.");
            await AssertRefusedAsync(app, "after StopAsync");
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
        }

        // Within 20 s: below the host's 30 s ShutdownTimeout, which would end the drain.
        static async Task AssertRefusedAsync(TestApp app, string when)
        {
            var got = await RawConnection.WaitUntilRefusedAsync(app.EndPoint, TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
            Assert.True(got is null, $"A new connection {when} must be refused; got {got}");
        }
    }
}

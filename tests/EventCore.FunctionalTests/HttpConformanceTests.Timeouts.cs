using System.Diagnostics;
using System.Net.Sockets;
using EventCore.FunctionalTests.Infrastructure;

namespace EventCore.FunctionalTests;

/// <summary>Keep-alive and request-head timeouts, on the app configured with 2 s for both.</summary>
public abstract partial class HttpConformanceTests
{
    [Fact(Timeout = TestTimeout)]
    public async Task IdleKeepAliveConnectionIsClosedAfterTheTimeout()
    {
        var ct = TestContext.Current.CancellationToken;
        var endPoint = await LimitedAppAsync();
        var keepAlive = ServerHosts.SmallLimits.KeepAliveTimeout;

        // The server's keep-alive clock starts when it sent the first response, so not before that request left: a close
        // seen sooner than KeepAliveTimeout after the request left is an early close. Seen later (the machine stalled for
        // seconds between two steps), it proves nothing, and the exchange is tried again on a new connection.
        for (var attempt = 1; ; attempt++)
        {
            using var connection = await RawConnection.ConnectAsync(endPoint, ct);
            var sinceRequest = Stopwatch.StartNew();
            await connection.SendAsync(GetPlaintext, ct);
            Assert.Equal(200, (await connection.ReadResponseAsync(ct)).StatusCode);
            if (!await connection.StaysOpenAndSilentForAsync(TimeSpan.FromMilliseconds(300), ct))
            {
                Assert.True(sinceRequest.Elapsed >= keepAlive && attempt < 5, $"Closed well before the keep-alive timeout:\n{connection.Transcript}");
                continue;
            }

            try
            {
                await connection.SendAsync(GetPlaintext, ct);
                Assert.Equal(200, (await connection.ReadResponseAsync(ct)).StatusCode);
            }
            catch (Exception ex) when (ex is IOException or SocketException && sinceRequest.Elapsed >= keepAlive && attempt < 5)
            {
                continue;
            }

            Assert.True(
                await connection.WaitForServerCloseAsync(keepAlive + CloseTimeout, ct),
                "An idle connection outlived KeepAliveTimeout (2 s) by more than 10 s.");
            return;
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task SilentNewConnectionIsClosedWithoutAResponse()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await RawConnection.ConnectAsync(await LimitedAppAsync(), ct);

        Assert.True(
            await connection.WaitForServerCloseAsync(ServerHosts.SmallLimits.KeepAliveTimeout + CloseTimeout, ct),
            "A connection that never sent a byte outlived the 2 s timeouts by more than 10 s.");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task PartialRequestHeadGets408AndClose()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await RawConnection.ConnectAsync(await LimitedAppAsync(), ct);
        connection.ReadTimeout = ServerHosts.SmallLimits.RequestHeadersTimeout + CloseTimeout;

        await connection.SendAsync("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n", ct);

        await AssertErrorAndCloseAsync(connection, 408, "request head not finished within RequestHeadersTimeout (2 s)", ct);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task TrickledRequestHeadGets408EvenThoughBytesKeepComing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var connection = await RawConnection.ConnectAsync(await LimitedAppAsync(), ct);

        // The timeout covers the whole head from its first byte: a header line every 200 ms never finishes it in time.
        await connection.SendAsync("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n", ct);
        var trickle = Task.Run(
            async () =>
            {
                try
                {
                    for (var i = 0; i < 100 && !connection.ClosedByServer; i++)
                    {
                        await connection.SendAsync("X-Slow: a\r\n", ct);
                        await Task.Delay(200, ct);
                    }
                }
                catch (System.Net.Sockets.SocketException)
                {
                    // The server closed the connection under the trickle: what the test waits for.
                }
            },
            ct);

        await AssertErrorAndCloseAsync(connection, 408, "request head trickled for more than RequestHeadersTimeout (2 s)", ct);
        await trickle;
    }
}

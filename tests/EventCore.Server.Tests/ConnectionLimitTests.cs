using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Tests;

/// <summary>MaxConcurrentConnections (silent close or an explicit status), MaxConcurrentUpgradedConnections, and how they interact.</summary>
public class ConnectionLimitTests
{
    private const string Get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    private const string Upgrade = "GET /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n";

    /// <summary>How long a freed slot may take to be seen: generous, for a stalled machine (a retry ends at once when it is).</summary>
    private static readonly TimeSpan s_retryTime = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task By_default_a_connection_over_the_limit_is_closed_without_a_word()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.Limits.MaxConcurrentConnections = 1);
        using var first = await host.ConnectAsync();
        await first.SendAsync(Get);
        Assert.Equal(200, (await first.ReadResponseAsync()).StatusCode);

        // Closed or reset (a reset can even beat the end of connect): either way, not one byte of a response.
        var received = "";
        var error = await Record.ExceptionAsync(async () =>
        {
            using var second = await host.ConnectAsync();
            await second.SendTolerantAsync(Get);
            received = await second.ReadToEndAsync();
        });
        Assert.True(error is null or System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionReset }, error?.ToString());
        Assert.Equal("", received);
    }

    [Fact]
    public async Task With_a_status_code_a_connection_over_the_limit_gets_it_with_connection_close()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, o =>
        {
            o.Limits.MaxConcurrentConnections = 1;
            o.Limits.RejectedConnectionStatusCode = 503;
        });
        using var first = await host.ConnectAsync();
        await first.SendAsync(Get);
        Assert.Equal(200, (await first.ReadResponseAsync()).StatusCode);

        using var second = await host.ConnectAsync();
        await second.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
        var refused = await second.ReadResponseAsync();

        Assert.Equal(503, refused.StatusCode);
        Assert.Equal("0", refused.Header("Content-Length"));
        Assert.Equal("close", refused.Header("Connection"));
        Assert.NotNull(refused.Header("Date"));
        Assert.True(await second.IsClosedByServerAsync());

        // The admitted connection is untouched, and once it goes a new one is served.
        await first.SendAsync(Get);
        Assert.Equal(200, (await first.ReadResponseAsync()).StatusCode);
        first.Dispose();
        Assert.Equal(200, await RetryUntilAdmittedAsync(host));
    }

    [Fact]
    public void The_status_code_must_be_an_error_status()
    {
        var limits = new EventCoreServerLimits();
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.RejectedConnectionStatusCode = 200);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.RejectedConnectionStatusCode = 600);
        limits.RejectedConnectionStatusCode = 429;
        limits.RejectedConnectionStatusCode = null;
        Assert.Null(limits.RejectedConnectionStatusCode);
    }

    [Fact]
    public async Task Upgraded_connections_leave_the_connection_count_and_have_their_own_limit()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var upgradeErrors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        await using var host = await ServerHost.StartAsync(
            async ctx =>
            {
                if (ctx.Request.Path != "/up")
                {
                    await ctx.Response.WriteAsync("plain");
                    return;
                }

                Stream stream;
                try
                {
                    stream = await ctx.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
                }
                catch (InvalidOperationException ex)
                {
                    upgradeErrors.Enqueue(ex);
                    throw;
                }

                await stream.WriteAsync("upgraded"u8.ToArray());
                await stream.FlushAsync();
                await release.Task;
            },
            o =>
            {
                o.Limits.MaxConcurrentConnections = 1;
                o.Limits.MaxConcurrentUpgradedConnections = 1;
            });

        using var upgraded = await host.ConnectAsync();
        await upgraded.SendAsync(Upgrade);
        Assert.Equal(101, (await upgraded.ReadResponseAsync(headRequest: true)).StatusCode);
        Assert.Equal("upgraded", System.Text.Encoding.ASCII.GetString(await upgraded.ReadExactAsync(8)));

        // The upgraded connection gave back its ordinary slot: a plain connection is admitted...
        using var plain = await host.ConnectAsync();
        await plain.SendAsync(Get);
        Assert.Equal("plain", (await plain.ReadResponseAsync()).Body);
        plain.Dispose();

        // ...but a second upgrade is over MaxConcurrentUpgradedConnections: UpgradeAsync throws, the app's error is a 500.
        using var refused = await ConnectAdmittedAsync(host);
        await refused.SendAsync(Upgrade);
        Assert.Equal(500, (await refused.ReadResponseAsync()).StatusCode);
        Assert.Contains("maximum number of upgraded connections", Assert.Single(upgradeErrors).Message, StringComparison.Ordinal);
        refused.Dispose();

        // When the upgraded connection ends its slot is free again.
        release.SetResult();
        Assert.True(await upgraded.IsClosedByServerAsync());
        var again = await RetryAsync(async () =>
        {
            using var next = await ConnectAdmittedAsync(host);
            await next.SendAsync(Upgrade);
            return (await next.ReadResponseAsync(headRequest: true)).StatusCode;
        }, 101);
        Assert.Equal(101, again);
    }

    /// <summary>A freed slot is seen by the server a moment after the client closes: retry, for a bounded (generous) time.</summary>
    private static Task<int> RetryUntilAdmittedAsync(ServerHost host) => RetryAsync(async () =>
    {
        using var client = await host.ConnectAsync();
        await client.SendAsync(Get);
        return (await client.ReadResponseAsync()).StatusCode;
    }, 200);

    private static async Task<RawClient> ConnectAdmittedAsync(ServerHost host)
    {
        // The previous plain connection may still hold its slot for a moment after the client closed it.
        var deadline = DateTime.UtcNow + s_retryTime;
        while (true)
        {
            RawClient? client = null;
            try
            {
                client = await host.ConnectAsync();
                await client.SendAsync(Get);
                if ((await client.ReadResponseAsync()).StatusCode == 200)
                {
                    return client;
                }
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException && DateTime.UtcNow < deadline)
            {
                // Closed at accept: the slot is not free yet.
            }

            client?.Dispose();
            Assert.True(DateTime.UtcNow < deadline, $"no connection admitted within {s_retryTime.TotalSeconds} s");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    private static async Task<int> RetryAsync(Func<Task<int>> attempt, int wanted)
    {
        var last = 0;
        var deadline = DateTime.UtcNow + s_retryTime;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await attempt();
                if (last == wanted)
                {
                    return last;
                }
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
            {
                // Closed at accept: the slot is not free yet.
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        return last;
    }
}

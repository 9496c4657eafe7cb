using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace EventCore.Server.Tests;

/// <summary>
/// Idle keep-alive connections on the epoll transport park between requests, and give their pipes back to the loop
/// (EpollConnection.Park.cs) at once after their first request, else after a heartbeat of idleness: a released
/// connection must serve its next request, close on the client's FIN, on the keep-alive timeout and at shutdown
/// exactly like one that kept its pipes.
/// </summary>
public class IdleConnectionTests
{
    private const int Clients = 20;
    private const string Get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    [Fact]
    public async Task Idle_connections_give_their_pipes_back_and_serve_the_next_requests()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, defaultTransport: true);
        var clients = await ConnectAndServeAsync(host, Clients);
        try
        {
            await WaitUntilReleasedAsync(host, Clients);

            // A single request, then a pipelined pair, on every connection that gave its pipes back.
            foreach (var client in clients)
            {
                await client.SendAsync(Get);
                var response = await client.ReadResponseAsync();
                Assert.Equal(200, response.StatusCode);
                Assert.Equal("Hello, World!", response.Body);
                await client.SendAsync(Get + Get);
                Assert.Equal("Hello, World!", (await client.ReadResponseAsync()).Body);
                Assert.Equal("Hello, World!", (await client.ReadResponseAsync()).Body);
            }

            // They park again and give the pipes back again: the cycle repeats.
            await WaitUntilReleasedAsync(host, Clients);
            await clients[0].SendAsync(Get);
            Assert.Equal(200, (await clients[0].ReadResponseAsync()).StatusCode);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public async Task A_connection_quiet_after_its_first_requests_gives_its_pipes_back_before_a_heartbeat_passes(int pipelined)
    {
        // After the first request, or a pipelined first batch, the park asks for the release as soon as it is awaited
        // (Http1Connection.ReleasesAtOnce); the heartbeat, which would otherwise ask after a second of idleness, asks
        // for none of them. Counting the heartbeat's actions, not the time, keeps the check steady on a slow machine.
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, defaultTransport: true);
        var clients = await ConnectAndServeAsync(host, Clients, pipelined);
        try
        {
            await WaitUntilReleasedAsync(host, Clients);
            Assert.Equal(0, host.Connections.Timers.Actions);

            await clients[0].SendAsync(Get);
            Assert.Equal(200, (await clients[0].ReadResponseAsync()).StatusCode);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task A_busy_keep_alive_connection_keeps_its_pipes_between_requests()
    {
        // Only the first park gives the pipes back at once: later parks keep them until the
        // heartbeat finds a second of idleness, so a connection serving request after request does not rent them
        // again each time. A window in which the heartbeat acted (a stalled machine) proves nothing and is tried again.
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, defaultTransport: true);
        using var client = (await ConnectAndServeAsync(host, 1))[0];
        await WaitUntilReleasedAsync(host, 1);
        var timers = host.Connections.Timers;
        for (var attempt = 0; ; attempt++)
        {
            Assert.True(attempt < 10, "the heartbeat acted in every window: no clean measurement");
            for (var i = 0; i < 3; i++)
            {
                await client.SendAsync(Get);
                Assert.Equal(200, (await client.ReadResponseAsync()).StatusCode);
            }

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!IsIdle(host))
            {
                Assert.True(DateTime.UtcNow < deadline, "the connection did not go back to its idle wait");
                await Task.Delay(10, TestContext.Current.CancellationToken);
            }

            var actions = timers.Actions;
            await Task.Delay(200, TestContext.Current.CancellationToken);
            var released = Released(host);
            if (timers.Actions == actions)
            {
                Assert.Equal(0, released);
                return;
            }
        }
    }

    [Fact]
    public async Task A_released_connection_closes_when_the_client_sends_FIN()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, defaultTransport: true);
        using var client = (await ConnectAndServeAsync(host, 1))[0];
        await WaitUntilReleasedAsync(host, 1);

        client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        Assert.True(await client.IsClosedByServerAsync());
        await host.Connections.WhenEmptyAsync().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_keep_alive_timeout_closes_a_released_connection()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(4), defaultTransport: true);
        using var client = (await ConnectAndServeAsync(host, 1))[0];
        await WaitUntilReleasedAsync(host, 1);

        Assert.Equal(string.Empty, await client.ReadToEndAsync()); // closed quietly when the timeout passes
        await host.Connections.WhenEmptyAsync().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Shutdown_closes_released_connections_without_waiting_for_the_grace_period()
    {
        var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, defaultTransport: true);
        await using (host)
        {
            var clients = await ConnectAndServeAsync(host, Clients);
            try
            {
                await WaitUntilReleasedAsync(host, Clients);

                // The grace period is long: a parked connection that missed the shutdown would hold StopAsync for it.
                var stopping = host.StopAsync(TimeSpan.FromMinutes(5));
                foreach (var client in clients)
                {
                    Assert.True(await client.IsClosedByServerAsync());
                }

                await stopping.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
                Assert.Equal(0, host.Connections.Count);
            }
            finally
            {
                clients.ForEach(c => c.Dispose());
            }
        }
    }

    [Fact]
    public async Task A_connection_that_gave_its_pipes_back_wakes_with_its_endpoints_and_id_and_ends_once()
    {
        // Its serve loop is dropped with the pipes and started again on waking (Http1Connection.ResumeAfterRelease):
        // the connection's end (metrics, registry) must still run exactly once, and its endpoints must be right.
        using var recorder = new MeasurementRecorder("EventCore.Server");
        await using var host = await ServerHost.StartAsync(
            ctx => ctx.Response.WriteAsync($"{ctx.Connection.RemoteIpAddress}:{ctx.Connection.RemotePort} {ctx.Connection.LocalIpAddress}:{ctx.Connection.LocalPort} {ctx.Connection.Id}"),
            defaultTransport: true);
        using var client = await host.ConnectAsync();
        var local = (System.Net.IPEndPoint)client.Socket.LocalEndPoint!;
        var remote = (System.Net.IPEndPoint)client.Socket.RemoteEndPoint!;
        var expected = $"{local.Address}:{local.Port} {remote.Address}:{remote.Port} ";
        string? id = null;
        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync(Get);
            var body = (await client.ReadResponseAsync()).Body;
            Assert.StartsWith(expected, body);
            id ??= body[expected.Length..];
            Assert.Equal(id, body[expected.Length..]); // the id string is dropped while idle, and made again the same
            await WaitUntilReleasedAsync(host, 1);
        }

        client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        Assert.True(await client.IsClosedByServerAsync());
        await host.Connections.WhenEmptyAsync().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await recorder.WaitForAsync(host.Port, m => m.Name == "eventcore.connection.duration");

        var mine = recorder.For(host.Port);
        Assert.Single(mine, m => m.Name == "eventcore.connection.duration");
        Assert.Equal([1.0, -1.0], mine.Where(m => m.Name == "eventcore.active_connections").Select(m => m.Value));
        Assert.Equal(0, host.Connections.Count);
    }

    /// <summary>Opens <paramref name="count"/> connections, each sending <paramref name="requests"/> requests in one write and reading their responses.</summary>
    private static async Task<List<RawClient>> ConnectAndServeAsync(ServerHost host, int count, int requests = 1)
    {
        var clients = new List<RawClient>();
        for (var i = 0; i < count; i++)
        {
            var client = await host.ConnectAsync();
            clients.Add(client);
            await client.SendAsync(string.Concat(Enumerable.Repeat(Get, requests)));
            for (var r = 0; r < requests; r++)
            {
                Assert.Equal(200, (await client.ReadResponseAsync()).StatusCode);
            }
        }

        return clients;
    }

    /// <summary>Waits until <paramref name="count"/> connections are parked without pipes.</summary>
    private static async Task WaitUntilReleasedAsync(ServerHost host, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Released(host) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {Released(host)} of {count} idle connections gave their pipes back within 30 s");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    private static bool IsIdle(ServerHost host)
    {
        var idle = new bool[1];
        host.Connections.ForEach(static (c, found) => found[0] |= c.IsIdle, idle);
        return idle[0];
    }

    private static int Released(ServerHost host)
    {
        var released = new int[1];
        host.Connections.ForEach(static (c, count) => count[0] += c.PipesReleased ? 1 : 0, released);
        return released[0];
    }
}

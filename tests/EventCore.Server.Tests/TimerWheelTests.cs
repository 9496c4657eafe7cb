using System.Diagnostics;
using EventCore.Server.Infrastructure;
using EventCore.Server.Tests.Support;

namespace EventCore.Server.Tests;

/// <summary>
/// The heartbeat visits only the connections that are due (ConnectionTimers): idle keep-alive connections are filed in a
/// timer wheel under their next time of interest — the pipe release, then the keep-alive deadline — and cost nothing on
/// the ticks in between, while both still happen.
/// </summary>
public class TimerWheelTests
{
    private const int Clients = 1000;
    private const string Get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    [Fact]
    public async Task Idle_connections_cost_nothing_per_tick_and_still_release_their_pipes_and_time_out()
    {
        var keepAlive = TimeSpan.FromSeconds(12);
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.Limits.KeepAliveTimeout = keepAlive, defaultTransport: true);
        var timers = host.Connections.Timers;
        var clients = new List<RawClient>();
        var sent = new List<long>();
        try
        {
            for (var i = 0; i < Clients; i++)
            {
                var client = await host.ConnectAsync();
                clients.Add(client);
                sent.Add(Stopwatch.GetTimestamp());
                await client.SendAsync(Get);
                Assert.Equal(200, (await client.ReadResponseAsync()).StatusCode);
            }

            // Every connection gives its pipes back (at once, as it parks after its one request); the wheel then has
            // only the keep-alive deadlines left to watch.
            await WaitUntilAsync(() => Released(host) == Clients, () => $"only {Released(host)} of {Clients} idle connections gave their pipes back");

            // A window of three whole ticks: only connections with something due may be visited, never all of them.
            var ticks = timers.Ticks;
            await WaitUntilAsync(() => timers.Ticks > ticks, () => "no heartbeat tick");
            (ticks, var visits, var actions) = (timers.Ticks, timers.Visits, timers.Actions);
            await WaitUntilAsync(() => timers.Ticks >= ticks + 3, () => "fewer than three heartbeat ticks");
            (var windowTicks, var windowVisits, var windowActions) = (timers.Ticks - ticks, timers.Visits - visits, timers.Actions - actions);
            TestContext.Current.TestOutputHelper?.WriteLine($"{Clients} idle connections, pipes released: {windowVisits} visits in {windowTicks} ticks for {windowActions} timeouts and releases");

            // Each due time costs at most two visits (one in its second before it is due, one when it is); a scan
            // would have visited all 1,000 connections on each tick.
            Assert.True(
                windowVisits <= 2 * windowActions,
                $"{windowVisits} visits in {windowTicks} ticks for {windowActions} timeouts and releases; a scan would be {windowTicks * Clients}");

            // The keep-alive timeout still closes every connection quietly, and none before its time.
            var closed = clients.Select(async (c, i) =>
            {
                Assert.Equal(string.Empty, await c.ReadToEndAsync());
                return Stopwatch.GetElapsedTime(sent[i]);
            });
            var idle = await Task.WhenAll(closed).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            Assert.All(idle, elapsed => Assert.True(elapsed >= keepAlive, $"closed after {elapsed}, before the keep-alive timeout"));
            await host.Connections.WhenEmptyAsync().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            // Over the connections' whole idle life: a handful of visits each (filing, release, keep-alive), however
            // many ticks passed.
            TestContext.Current.TestOutputHelper?.WriteLine($"whole idle life: {timers.Visits} visits, {timers.Actions} timeouts and releases in {timers.Ticks} ticks");
            Assert.True(timers.Ticks >= 10, $"only {timers.Ticks} ticks");
            Assert.True(timers.Visits <= 6 * Clients, $"{timers.Visits} visits in {timers.Ticks} ticks for {Clients} connections");
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task A_busy_keep_alive_connection_costs_the_ticks_a_few_visits_not_one_per_request()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, defaultTransport: true);
        var timers = host.Connections.Timers;
        using var client = await host.ConnectAsync();

        // Requests back to back for three ticks: each ends in an idle wait, which the wheel must not pay for per request.
        var ticks = timers.Ticks;
        var requests = 0;
        while (timers.Ticks < ticks + 3)
        {
            await client.SendAsync(Get);
            Assert.Equal(200, (await client.ReadResponseAsync()).StatusCode);
            requests++;
        }

        (var elapsedTicks, var visits) = (timers.Ticks, timers.Visits);
        TestContext.Current.TestOutputHelper?.WriteLine($"one busy connection: {requests} requests, {visits} visits in {elapsedTicks} ticks");
        Assert.True(visits <= 3 * elapsedTicks, $"{visits} visits in {elapsedTicks} ticks for one connection ({requests} requests)");
    }

    private static int Released(ServerHost host)
    {
        var released = new int[1];
        host.Connections.ForEach(static (c, count) => count[0] += c.PipesReleased ? 1 : 0, released);
        return released[0];
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure() + " within 60 s");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}

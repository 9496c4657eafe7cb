using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using EventCore.Server.Tests.Support;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Http;

namespace EventCore.Server.Tests;

[CollectionDefinition(nameof(BlockedLoopResources), DisableParallelization = true)]
public sealed class BlockedLoopResources;

/// <summary>
/// The blocked-loop guard, end to end: the app runs inline on the only epoll loop (the default scheduling), a
/// request blocks in it, and everything else must go on. Thread and fd counts are process-wide: these run alone.
/// </summary>
[Collection(nameof(BlockedLoopResources))]
public class BlockedLoopTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly Blocker _blocker = new();

    /// <summary>One loop: every connection shares it with the blocked one.</summary>
    private static EpollTransportOptions OneLoop => new() { LoopCount = 1 };

    [Theory]
    [InlineData(Blocker.Kind.LockWait)]
    [InlineData(Blocker.Kind.SyncOverAsync)]
    [InlineData(Blocker.Kind.BusyLoop)]
    public async Task A_request_blocked_in_app_code_does_not_stop_other_connections_of_its_loop(Blocker.Kind kind)
    {
        await using var host = await ServerHost.StartOnEpollAsync(App(kind), OneLoop);
        using var blocked = await ConnectWarmAsync(host);
        using var other = await ConnectWarmAsync(host);

        await blocked.SendAsync("GET /block?id=1 HTTP/1.1\r\nHost: x\r\n\r\n");
        await _blocker.WaitEnteredAsync();
        Assert.StartsWith("EventCore epoll", _blocker.BlockedThreadNames.Single(), StringComparison.Ordinal);

        Assert.Equal("hello", await GetAsync(other, "/plaintext"));
        using (var late = await host.ConnectAsync())
        {
            Assert.Equal("hello", await GetAsync(late, "/plaintext")); // accepted and served meanwhile
        }

        _blocker.Release();
        Assert.Equal("released 1", (await blocked.ReadResponseAsync()).Body);
        Assert.Equal("hello", await GetAsync(blocked, "/plaintext"));
    }

    [Fact]
    public async Task Pipelined_requests_behind_a_blocked_one_are_answered_in_order()
    {
        await using var host = await ServerHost.StartOnEpollAsync(App(Blocker.Kind.LockWait), OneLoop);
        using var blocked = await ConnectWarmAsync(host);
        using var other = await ConnectWarmAsync(host);

        await blocked.SendAsync(
            "GET /block?id=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /id?id=2 HTTP/1.1\r\nHost: x\r\n\r\nGET /id?id=3 HTTP/1.1\r\nHost: x\r\n\r\n");
        await _blocker.WaitEnteredAsync();
        Assert.Equal("hello", await GetAsync(other, "/plaintext"));
        await blocked.SendAsync("GET /id?id=4 HTTP/1.1\r\nHost: x\r\n\r\n"); // arrives while the connection is stuck

        _blocker.Release();
        Assert.Equal("released 1", (await blocked.ReadResponseAsync()).Body);
        Assert.Equal("2", (await blocked.ReadResponseAsync()).Body);
        Assert.Equal("3", (await blocked.ReadResponseAsync()).Body);
        Assert.Equal("4", (await blocked.ReadResponseAsync()).Body);
    }

    [Fact]
    public async Task A_blocked_request_reading_its_body_synchronously_gets_the_body_that_arrives_later()
    {
        await using var host = await ServerHost.StartOnEpollAsync(App(Blocker.Kind.LockWait), OneLoop);
        using var client = await ConnectWarmAsync(host);

        await client.SendAsync("POST /read-sync HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n");
        await _blocker.WaitEnteredAsync(); // the app now waits synchronously, on the loop thread, for bytes not yet sent
        await client.SendAsync("hello");

        Assert.Equal("read hello", (await client.ReadResponseAsync()).Body);
    }

    [Fact]
    public async Task Many_concurrent_blockers_are_all_answered_and_leave_no_thread_or_fd_behind()
    {
        const int Blockers = 40;
        await WarmUpAsync();
        var (threads, fds) = (CountLoopThreads(), CountFds());
        var host = await ServerHost.StartOnEpollAsync(App(Blocker.Kind.LockWait), OneLoop);
        var clients = new List<RawClient>();
        try
        {
            for (var i = 0; i < Blockers; i++)
            {
                var client = await ConnectWarmAsync(host);
                clients.Add(client);
                await client.SendAsync($"GET /block?id={i} HTTP/1.1\r\nHost: x\r\n\r\n");
            }

            await _blocker.WaitEnteredAsync(Blockers);
            Assert.All(_blocker.BlockedThreadNames, name => Assert.StartsWith("EventCore epoll", name, StringComparison.Ordinal));
            using (var other = await ConnectWarmAsync(host))
            {
                Assert.Equal("hello", await GetAsync(other, "/plaintext"));
            }

            // One thread per stuck request beyond the loop's own (the last was handed off when the other client came;
            // a handoff that lost the race with a returning callout leaves one spare).
            Assert.InRange(host.Epoll!.Guard!.ExtraThreads, Blockers, Blockers + 1);

            _blocker.Release();
            for (var i = 0; i < Blockers; i++)
            {
                Assert.Equal($"released {i}", (await clients[i].ReadResponseAsync()).Body);
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
            await host.DisposeAsync();
        }

        await UntilAsync(() => CountLoopThreads() == threads, () => $"loop threads: {CountLoopThreads()}, before: {threads}");
        await UntilAsync(() => CountFds() <= fds, () => $"fds: {CountFds()}, before: {fds}");
    }

    [Fact]
    public async Task A_client_that_resets_during_a_block_is_noticed_while_blocked_and_loses_nothing_else()
    {
        await WarmUpAsync();
        var fds = CountFds();
        var abortedWhileBlocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (var host = await ServerHost.StartOnEpollAsync(
            async context =>
            {
                if (context.Request.Path == "/block")
                {
                    context.RequestAborted.Register(() => abortedWhileBlocked.TrySetResult());
                    _blocker.Block(Blocker.Kind.LockWait);
                    await context.Response.WriteAsync("too late");
                    return;
                }

                await context.Response.WriteAsync("hello");
            },
            OneLoop))
        {
            var blocked = await ConnectWarmAsync(host);
            await blocked.SendAsync("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
            await _blocker.WaitEnteredAsync();
            blocked.Socket.LingerState = new LingerOption(true, 0);
            blocked.Dispose(); // RST while the request is stuck in app code on the loop thread

            // The loop, now on another thread, still reads the stuck connection's socket: it sees the reset.
            await abortedWhileBlocked.Task.WaitAsync(s_timeout, TestContext.Current.CancellationToken);
            using var other = await ConnectWarmAsync(host);
            Assert.Equal("hello", await GetAsync(other, "/"));

            _blocker.Release();
            Assert.Equal("hello", await GetAsync(other, "/"));
            await UntilAsync(() => host.Epoll!.Loops.Single().HandlerCount == 2, () => "the reset connection was not closed"); // listener + other
        }

        await UntilAsync(() => CountFds() <= fds, () => $"fds: {CountFds()}, before: {fds}");
    }

    [Fact]
    public async Task Shutdown_while_blocked_answers_the_blocked_request_and_leaves_no_thread_or_fd_behind()
    {
        await WarmUpAsync();
        var (threads, fds) = (CountLoopThreads(), CountFds());
        var host = await ServerHost.StartOnEpollAsync(App(Blocker.Kind.LockWait), OneLoop);
        var port = host.Port;
        using (var blocked = await ConnectWarmAsync(host))
        {
            await blocked.SendAsync("GET /block?id=7 HTTP/1.1\r\nHost: x\r\n\r\n");
            await _blocker.WaitEnteredAsync();

            var stop = host.StopAsync(s_timeout);
            await UntilAsync(() => !Listening(port), () => "the listener is still open after StopAsync began");
            Assert.False(stop.IsCompleted);

            _blocker.Release();
            var response = await blocked.ReadResponseAsync();
            Assert.Equal("released 7", response.Body);
            Assert.Equal("close", response.Header("Connection"));
            await stop.WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        }

        await host.DisposeAsync();
        await UntilAsync(() => CountLoopThreads() == threads, () => $"loop threads: {CountLoopThreads()}, before: {threads}");
        await UntilAsync(() => CountFds() <= fds, () => $"fds: {CountFds()}, before: {fds}");
    }

    [Fact]
    public async Task A_handoff_is_logged_with_the_request_and_counted_with_its_blocked_time()
    {
        var measurements = new ConcurrentQueue<(string Name, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "EventCore.Transport.Epoll" && instrument.Name.StartsWith("eventcore.transport.blocked_loop.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => measurements.Enqueue((i.Name, v)));
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => measurements.Enqueue((i.Name, v)));
        listener.Start();

        await using var host = await ServerHost.StartOnEpollAsync(App(Blocker.Kind.LockWait), OneLoop);
        using var blocked = await ConnectWarmAsync(host);
        using var other = await ConnectWarmAsync(host);
        await blocked.SendAsync("GET /block?id=1 HTTP/1.1\r\nHost: x\r\n\r\n");
        await _blocker.WaitEnteredAsync();
        Assert.Equal("hello", await GetAsync(other, "/plaintext")); // work for the loop: the handoff's trigger
        await UntilAsync(() => measurements.Any(m => m.Name == "eventcore.transport.blocked_loop.handoffs"), () => "no handoff counted");

        var warning = Assert.Single(host.Logs.Records, r => r.Message.Contains("was blocked", StringComparison.Ordinal));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Contains("Epoll loop 0 was blocked for", warning.Message, StringComparison.Ordinal);
        Assert.Contains("by GET /block on connection", warning.Message, StringComparison.Ordinal);
        Assert.Contains("ApplicationScheduling", warning.Message, StringComparison.Ordinal); // says what to do

        _blocker.Release();
        Assert.Equal("released 1", (await blocked.ReadResponseAsync()).Body);
        await UntilAsync(() => measurements.Any(m => m.Name == "eventcore.transport.blocked_loop.duration"), () => "no blocked time recorded");
        Assert.True(measurements.Single(m => m.Name == "eventcore.transport.blocked_loop.duration").Value >= 0.001);
    }

    /// <summary>/block blocks (then answers "released {id}"), /read-sync blocks reading its body synchronously, /id echoes the id, else "hello".</summary>
    private RequestDelegate App(Blocker.Kind kind) => async context =>
    {
        var id = context.Request.Query["id"].ToString();
        switch (context.Request.Path.Value)
        {
            case "/block":
                _blocker.Block(kind);
                await context.Response.WriteAsync($"released {id}");
                break;
            case "/read-sync":
                await context.Response.WriteAsync($"read {ReadBodySynchronously(context)}");
                break;
            case "/id":
                await context.Response.WriteAsync(id);
                break;
            default:
                await context.Response.WriteAsync("hello");
                break;
        }
    };

    /// <summary>Legacy code: a blocking wait for the request body, on whatever thread runs the request.</summary>
    private string ReadBodySynchronously(HttpContext context)
    {
        var buffer = new byte[16];
        var read = context.Request.Body.ReadAsync(buffer).AsTask();
        _blocker.SignalEntered(); // the test sends the body only now
        return System.Text.Encoding.ASCII.GetString(buffer, 0, read.GetAwaiter().GetResult());
    }

    /// <summary>A connection whose first request is done, so the next ones arrive on the loop (not on the accepting thread).</summary>
    /// <summary>Whatever a test asserts, nothing it blocked stays blocked (a blocked thread would count in the next test).</summary>
    public void Dispose()
    {
        _blocker.Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// A connection that served one request and went back to its idle wait: a connection's first turn runs on the
    /// thread pool (the dispatcher starts it there), so a request sent before that turn ends would run there too,
    /// not on the loop these tests block.
    /// </summary>
    private static async Task<RawClient> ConnectWarmAsync(ServerHost host)
    {
        var client = await host.ConnectAsync();
        Assert.Equal("hello", await GetAsync(client, "/"));
        var local = client.Socket.LocalEndPoint;
        await UntilAsync(() => IsIdle(host, local), () => $"the connection from {local} did not go back to its idle wait");
        return client;
    }

    private static bool IsIdle(ServerHost host, EndPoint? client)
    {
        var found = new (EndPoint? Client, bool Idle)[] { (client, false) };
        host.Connections.ForEach(static (c, state) => state[0].Idle |= c.IsIdle && Equals(c.RemoteEndPoint, state[0].Client), found);
        return found[0].Idle;
    }

    private static async Task<string> GetAsync(RawClient client, string path)
    {
        await client.SendAsync($"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
        return (await client.ReadResponseAsync().WaitAsync(s_timeout)).Body;
    }

    private static bool Listening(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task UntilAsync(Func<bool> condition, Func<string> because)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, because());
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Sockets, epoll fds and eventfds: what a server or its loops could leak. (Assembly files opened by the first
    /// test of the process would make a plain count meaningless.)
    /// </summary>
    private static int CountFds() => Directory.GetFiles("/proc/self/fd").Count(f =>
    {
        try
        {
            return new FileInfo(f).LinkTarget is { } target
                && (target.StartsWith("socket:", StringComparison.Ordinal) || target.StartsWith("anon_inode:", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    });

    /// <summary>
    /// Starts and stops a server once, so the process-wide resources it creates on first use exist before a
    /// baseline, and waits until no loop thread is left (these tests run alone, and an exiting thread stays in
    /// /proc for a moment).
    /// </summary>
    private async Task WarmUpAsync()
    {
        await using (var host = await ServerHost.StartOnEpollAsync(App(Blocker.Kind.LockWait), OneLoop))
        {
            using var client = await ConnectWarmAsync(host);
        }

        await UntilAsync(() => CountLoopThreads() == 0, () => $"loop threads left before the test: {CountLoopThreads()}");
    }

    /// <summary>Threads by kernel name: every loop thread, handoff threads included, is "EventCore epoll…" (cut to 15 characters).</summary>
    private static int CountLoopThreads() => Directory.GetDirectories("/proc/self/task").Count(t =>
    {
        try
        {
            return File.ReadAllText(Path.Combine(t, "comm")).StartsWith("EventCore epol", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    });
}

using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll.Tests;

/// <summary>
/// EMFILE/ENFILE from accept4. Lowering RLIMIT_NOFILE would starve every test running in this process, so the
/// listener's test hook reports the errno in place of calling accept4; everything after it (unregistering the
/// listening socket, the back-off timer, re-registering) is the production path.
/// </summary>
public class AcceptBackoffTests
{
    private int _faulting;
    private int _attempts;

    [Fact]
    public async Task Out_of_fds_pauses_accepting_without_spinning_and_recovers()
    {
        var logs = new ListLoggerProvider();
        using ILoggerFactory loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var options = new EpollTransportOptions { LoopCount = 1 };
        await using TestServer server = await TestServer.StartAsync(options, Apps.EchoAsync, loggerFactory: loggerFactory, acceptFault: Fault);
        using Socket existing = await server.ConnectAsync();
        await Apps.RoundTripAsync(existing, [1]);

        Volatile.Write(ref _faulting, 1);
        using Socket pending = await server.ConnectAsync(); // the kernel completes the handshake; accept4 "fails"
        await Task.Delay(1500);
        int attempts = Volatile.Read(ref _attempts);

        // Back-off 100, 200, 400, 800 ms: a handful of attempts, not a spinning loop.
        Assert.InRange(attempts, 1, 8);
        await Apps.RoundTripAsync(existing, [2]);
        Assert.Single(server.Connections);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("EMFILE", StringComparison.Ordinal));

        Volatile.Write(ref _faulting, 0);
        await Apps.RoundTripAsync(pending, [3]);
        Assert.Equal(2, server.Connections.Count);
    }

    private Errno Fault()
    {
        if (Volatile.Read(ref _faulting) == 0)
        {
            return Errno.None;
        }
        Interlocked.Increment(ref _attempts);
        return Errno.EMFILE;
    }
}

using System.Net.Sockets;

namespace EventCore.Transport.Epoll.Tests;

/// <summary>Steady-state allocation of the transport's per-request path (process-wide numbers: runs alone).</summary>
[Collection(nameof(ProcessWideResources))]
public class AllocationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(ApplicationScheduling.Inline, ArmingMode.Persistent)]
    [InlineData(ApplicationScheduling.Inline, ArmingMode.OneShot)]
    [InlineData(ApplicationScheduling.ThreadPool, ArmingMode.Persistent)]
    [InlineData(ApplicationScheduling.ThreadPool, ArmingMode.OneShot)]
    public async Task Echo_round_trips_allocate_nothing_in_steady_state(ApplicationScheduling scheduling, ArmingMode arming)
    {
        var options = new EpollTransportOptions { LoopCount = 1, ApplicationScheduling = scheduling, ArmingMode = arming };
        await using TestServer server = await TestServer.StartAsync(options, Apps.EchoAsync);
        // Connected synchronously: a socket that never saw an async call does plain blocking syscalls, which
        // allocate nothing (after an async call .NET emulates blocking calls, allocating per call).
        using var client = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(server.EndPoint);
        byte[] message = new byte[64];
        byte[] reply = new byte[64];
        await Task.Run(() => RoundTrips(client, message, reply, 2000)); // warm up: JIT, pool, queue segments

        const int Count = 20_000;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await Task.Run(() => RoundTrips(client, message, reply, Count));
        long perRoundTrip = (GC.GetTotalAllocatedBytes(precise: true) - before) / Count;

        output.WriteLine($"{scheduling}/{arming}: {perRoundTrip} bytes allocated per round trip (whole process)");
        // Measured 0; a little slack for whatever else the runtime does meanwhile (timers, tiered JIT).
        Assert.InRange(perRoundTrip, 0, 16);
    }

    /// <summary>Blocking client calls: they allocate nothing themselves.</summary>
    private static void RoundTrips(Socket client, byte[] message, byte[] reply, int count)
    {
        for (int i = 0; i < count; i++)
        {
            client.Send(message);
            for (int received = 0; received < reply.Length;)
            {
                received += client.Receive(reply, received, reply.Length - received, SocketFlags.None);
            }
        }
    }
}

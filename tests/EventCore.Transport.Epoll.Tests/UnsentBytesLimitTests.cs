using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace EventCore.Transport.Epoll.Tests;

/// <summary>
/// <see cref="EpollTransportOptions.MaxSocketUnsentBytes"/>: a client that stops reading holds a bounded amount of kernel
/// memory (TCP_NOTSENT_LOWAT) instead of the whole autotuned send buffer, and a client that reads still gets everything.
/// </summary>
public sealed class UnsentBytesLimitTests
{
    private const int Limit = 16 * 1024;
    private const int Chunk = 64 * 1024;

    [Fact]
    public async Task A_client_that_stops_reading_holds_a_bounded_amount_of_unsent_bytes()
    {
        long flushed = 0;
        var options = new EpollTransportOptions { LoopCount = 1, MaxSocketUnsentBytes = Limit };
        await using TestServer server = await TestServer.StartAsync(options, async c =>
        {
            byte[] chunk = new byte[Chunk];
            while (!(await c.Transport.Output.WriteAsync(chunk)).IsCompleted)
            {
                Interlocked.Add(ref flushed, Chunk);
            }
        });
        using Socket client = await server.ConnectAsync();
        client.ReceiveBufferSize = 4096;
        EpollConnection connection = await AcceptedAsync(server);
        Assert.Equal(Limit, connection.SocketUnsentLowWatermark);

        await Poll.UntilAsync(() => connection.IsWaitingToSend, "the socket stops taking bytes");
        // The socket holds at most the limit, one segment being built and what the peer's window took; the output
        // pipe the application's pause threshold (64 KiB). Without the limit the kernel takes its whole autotuned send
        // buffer first (1.4–2.9 MB measured on loopback).
        long taken = Interlocked.Read(ref flushed);
        Assert.True(taken < 512 * 1024, $"{taken} bytes taken from the application by a connection whose client reads nothing");
    }

    [Fact]
    public async Task A_client_that_reads_gets_every_byte()
    {
        const int Total = 16 * 1024 * 1024;
        var options = new EpollTransportOptions { LoopCount = 1, MaxSocketUnsentBytes = Limit };
        await using TestServer server = await TestServer.StartAsync(options, async c =>
        {
            byte[] chunk = new byte[Chunk];
            for (int sent = 0; sent < Total; sent += Chunk)
            {
                chunk[0] = (byte)(sent / Chunk);
                await c.Transport.Output.WriteAsync(chunk);
            }
            await c.Transport.Output.CompleteAsync();
        });
        using Socket client = await server.ConnectAsync();
        using var received = new IncrementalHashSink();
        Assert.Equal(Total, await Apps.ReceiveToEndAsync(client, received));
        using var expected = new IncrementalHashSink();
        byte[] chunk = new byte[Chunk];
        for (int sent = 0; sent < Total; sent += Chunk)
        {
            chunk[0] = (byte)(sent / Chunk);
            expected.Append(chunk);
        }
        Assert.Equal(expected.Finish(), received.Finish());
    }

    [Fact]
    public async Task Zero_leaves_the_kernel_default()
    {
        var options = new EpollTransportOptions { LoopCount = 1, MaxSocketUnsentBytes = 0 };
        await using TestServer server = await TestServer.StartAsync(options, Apps.EchoAsync);
        using Socket client = await server.ConnectAsync();
        EpollConnection connection = await AcceptedAsync(server);
        // 0: not set on the socket, so net.ipv4.tcp_notsent_lowat applies.
        Assert.Equal(0, connection.SocketUnsentLowWatermark);
    }

    private static async Task<EpollConnection> AcceptedAsync(TestServer server)
    {
        await Poll.UntilAsync(() => !server.Connections.IsEmpty, "the connection is accepted");
        return (EpollConnection)server.Connections.First();
    }
}

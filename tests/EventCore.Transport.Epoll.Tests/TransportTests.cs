using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace EventCore.Transport.Epoll.Tests;

/// <summary>Transport behaviour on real sockets, run once per option set by the sealed subclasses.</summary>
public abstract partial class TransportTests(EpollTransportOptions options)
{
    protected EpollTransportOptions Options { get; } = options;

    [Fact]
    public async Task Accepts_many_connections_across_loops()
    {
        await using TestServer server = await TestServer.StartAsync(Options, Apps.EchoAsync);
        var clients = new List<Socket>();
        try
        {
            for (int i = 0; i < 200; i++)
            {
                clients.Add(await server.ConnectAsync());
            }
            await Task.WhenAll(clients.Select(c => Apps.RoundTripAsync(c, [1, 2, 3])));
            Assert.Equal(200, server.Factory.Loops.Sum(l => l.AcceptedCount));
            Assert.True(server.Factory.Loops.Count(l => l.AcceptedCount > 0) > 1, "the kernel spread connections over the loops");
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Echoes_many_round_trips_on_concurrent_connections()
    {
        await using TestServer server = await TestServer.StartAsync(Options, Apps.EchoAsync);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            using Socket client = await server.ConnectAsync();
            for (int n = 0; n < 500; n++)
            {
                await Apps.RoundTripAsync(client, BitConverter.GetBytes((i * 1000) + n));
            }
        }));
    }

    [Fact]
    public async Task Transfers_64_MB_both_ways()
    {
        await using TestServer server = await TestServer.StartAsync(Options, Apps.EchoAsync);
        using Socket client = await server.ConnectAsync();
        byte[] chunk = RandomNumberGenerator.GetBytes(1024 * 1024);
        using var sent = new IncrementalHashSink();
        using var received = new IncrementalHashSink();
        Task<long> receive = Apps.ReceiveToEndAsync(client, received);
        for (int i = 0; i < 64; i++)
        {
            chunk[0] = (byte)i;
            sent.Append(chunk);
            await client.SendAsync(chunk.AsMemory()).AsTask().WaitAsync(TestServer.Timeout);
        }
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(64L * 1024 * 1024, await receive);
        Assert.Equal(sent.Finish(), received.Finish());
    }

    [Fact]
    public async Task Slow_reader_makes_the_application_wait_instead_of_buffering()
    {
        const long Total = 100L * 1024 * 1024;
        long flushed = 0;
        int waiting = 0; // 1 while the application awaits a write that did not complete at once
        var app = async (ConnectionContext c) =>
        {
            byte[] chunk = new byte[64 * 1024];
            while (Interlocked.Read(ref flushed) < Total)
            {
                ValueTask<FlushResult> write = c.Transport.Output.WriteAsync(chunk);
                Volatile.Write(ref waiting, write.IsCompleted ? 0 : 1);
                await write;
                Volatile.Write(ref waiting, 0);
                Interlocked.Add(ref flushed, chunk.Length);
            }
        };
        await using TestServer server = await TestServer.StartAsync(Options, app);
        using Socket client = await server.ConnectAsync();
        client.ReceiveBufferSize = 64 * 1024;
        await Poll.UntilAsync(() => !server.Connections.IsEmpty, "the connection is accepted");
        var connection = (EpollConnection)server.Connections.Single();
        // Kernel socket buffers on loopback hold a few MB; the transport adds at most MaxWriteBufferSize. Checked at every
        // look until everything is full: the application waits on its write, the socket takes nothing, nothing moves.
        await Poll.UntilStillAsync(
            () => Interlocked.Read(ref flushed),
            () => Volatile.Read(ref waiting) == 1 && connection.IsWaitingToSend,
            TimeSpan.FromMilliseconds(500),
            "the application never came to wait on a write while the peer read nothing",
            now => Assert.True(now < 16L * 1024 * 1024, $"the application flushed {now} bytes to a peer that reads nothing"));
        Assert.Equal(Total, await Apps.ReceiveToEndAsync(client));
    }

    [Fact]
    public async Task Application_that_does_not_read_stops_the_transport_reading()
    {
        var startReading = new TaskCompletionSource();
        long received = 0;
        var app = async (ConnectionContext c) =>
        {
            await startReading.Task;
            received = await Apps.ReadInputToEndAsync(c);
        };
        await using TestServer server = await TestServer.StartAsync(Options, app);
        using Socket client = await server.ConnectAsync();
        client.SendBufferSize = 64 * 1024;
        byte[] data = new byte[64 * 1024 * 1024];
        Task send = client.SendAsync(data.AsMemory()).AsTask();
        await Task.Delay(1500);
        Assert.False(send.IsCompleted, "64 MB went into a connection whose application reads nothing");
        startReading.SetResult();
        await send.WaitAsync(TestServer.Timeout);
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await Apps.ReceiveToEndAsync(client));
        Assert.Equal(data.Length, received);
    }

    [Fact]
    public async Task Half_close_completes_input_and_the_reply_still_arrives()
    {
        var app = async (ConnectionContext c) =>
        {
            long length = await Apps.ReadInputToEndAsync(c);
            await c.Transport.Output.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"got {length}"));
        };
        await using TestServer server = await TestServer.StartAsync(Options, app);
        using Socket client = await server.ConnectAsync();
        await client.SendAsync(new byte[12345]);
        client.Shutdown(SocketShutdown.Send);
        byte[] reply = new byte[100];
        int total = 0;
        int read;
        while ((read = await client.ReceiveAsync(reply.AsMemory(total)).AsTask().WaitAsync(TestServer.Timeout)) > 0)
        {
            total += read;
        }
        Assert.Equal("got 12345", System.Text.Encoding.ASCII.GetString(reply, 0, total));
    }

    [Fact]
    public async Task Peer_reset_fires_ConnectionClosed_off_the_loop_and_ends_input()
    {
        var closed = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inputEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var app = async (ConnectionContext c) =>
        {
            c.ConnectionClosed.Register(() => closed.TrySetResult(Thread.CurrentThread.Name));
            try
            {
                ReadResult first = await c.Transport.Input.ReadAsync();
                c.Transport.Input.AdvanceTo(first.Buffer.End);
                reading.SetResult();
                await Apps.ReadInputToEndAsync(c);
            }
            catch (ConnectionResetException)
            {
            }
            inputEnded.SetResult();
        };
        await using TestServer server = await TestServer.StartAsync(Options, app);
        Socket client = await server.ConnectAsync();
        await client.SendAsync(new byte[] { 1 });
        // Gate: the reset comes to a connection whose application registered its callback and is reading. Earlier, the
        // registration would find the token already fired and run the callback itself (inline: on the loop).
        await reading.Task.WaitAsync(TestServer.Timeout);
        client.LingerState = new LingerOption(true, 0);
        client.Dispose();
        string? thread = await closed.Task.WaitAsync(TestServer.Timeout);
        Assert.False(thread?.StartsWith("EventCore epoll", StringComparison.Ordinal) ?? false, "ConnectionClosed ran on the loop");
        await inputEnded.Task.WaitAsync(TestServer.Timeout);
    }

    [Fact]
    public async Task Abort_resets_the_connection()
    {
        var app = async (ConnectionContext c) =>
        {
            var first = await c.Transport.Input.ReadAsync();
            c.Transport.Input.AdvanceTo(first.Buffer.End);
            c.Abort(new ConnectionAbortedException("test"));
            await Assert.ThrowsAsync<ConnectionAbortedException>(async () =>
            {
                while (true)
                {
                    var result = await c.Transport.Input.ReadAsync();
                    c.Transport.Input.AdvanceTo(result.Buffer.End);
                }
            }).WaitAsync(TestServer.Timeout);
        };
        await using TestServer server = await TestServer.StartAsync(Options, app);
        using Socket client = await server.ConnectAsync();
        await client.SendAsync(new byte[] { 1 });
        var error = await Assert.ThrowsAsync<SocketException>(() => Apps.ReceiveToEndAsync(client));
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        Assert.Empty(server.AppErrors);
    }

    [Fact]
    public async Task Graceful_dispose_delivers_every_byte_then_EOF()
    {
        long written = 0;
        int parked = 0; // 1 while the application awaits a write that did not complete at once, or once it disposes
        var app = async (ConnectionContext c) =>
        {
            byte[] block = new byte[1024 * 1024];
            for (int i = 0; i < 8; i++)
            {
                ValueTask<FlushResult> write = c.Transport.Output.WriteAsync(block);
                Volatile.Write(ref parked, write.IsCompleted ? 0 : 1);
                await write;
                Volatile.Write(ref parked, 0);
                Interlocked.Add(ref written, block.Length);
            }
            Volatile.Write(ref parked, 1);
            await c.DisposeAsync(); // before the peer reads anything
        };
        await using TestServer server = await TestServer.StartAsync(Options, app);
        using Socket client = await server.ConnectAsync();
        // Gate: the application got as far as it can before the peer reads: disposed, or waiting with the socket full.
        await Poll.UntilAsync(() => !server.Connections.IsEmpty, "the connection is accepted");
        var connection = (EpollConnection)server.Connections.Single();
        await Poll.UntilStillAsync(
            () => Interlocked.Read(ref written),
            () => Volatile.Read(ref parked) == 1 && (connection.IsWaitingToSend || Interlocked.Read(ref written) == 8L * 1024 * 1024),
            TimeSpan.FromMilliseconds(300),
            "the application neither disposed nor came to wait on a full socket");
        Assert.Equal(8L * 1024 * 1024, await Apps.ReceiveToEndAsync(client));
    }

    [Fact]
    public async Task Connection_exposes_the_transport_features()
    {
        var features = new TaskCompletionSource<ConnectionContext>();
        await using TestServer server = await TestServer.StartAsync(Options, async c =>
        {
            features.SetResult(c);
            await Apps.EchoAsync(c);
        });
        using Socket client = await server.ConnectAsync();
        ConnectionContext connection = await features.Task.WaitAsync(TestServer.Timeout);
        Assert.NotNull(connection.Features.Get<IConnectionIdFeature>());
        Assert.NotNull(connection.Features.Get<IConnectionTransportFeature>());
        Assert.NotNull(connection.Features.Get<IConnectionItemsFeature>());
        Assert.NotNull(connection.Features.Get<IConnectionLifetimeFeature>());
        Assert.NotNull(connection.Features.Get<IConnectionEndPointFeature>());
        Assert.NotNull(connection.Features.Get<IConnectionSendFileFeature>());
        Assert.Equal(client.LocalEndPoint, connection.RemoteEndPoint);
        Assert.Equal(client.RemoteEndPoint, connection.LocalEndPoint);
        Assert.False(string.IsNullOrEmpty(connection.ConnectionId));
        connection.Items["k"] = "v";
        Assert.Equal("v", connection.Items["k"]);
    }
}

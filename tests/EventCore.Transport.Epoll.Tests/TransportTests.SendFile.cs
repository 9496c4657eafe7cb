using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.Win32.SafeHandles;

namespace EventCore.Transport.Epoll.Tests;

/// <summary>sendfile through IConnectionSendFileFeature.</summary>
public abstract partial class TransportTests
{
    [Fact]
    public async Task SendFile_sends_flushed_bytes_first_then_100_MB_of_file()
    {
        using var file = TempFile.Random(100L * 1024 * 1024, out byte[] fileHash);
        byte[] header = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n\r\n");
        var app = async (ConnectionContext c) =>
        {
            await c.Transport.Output.WriteAsync(header);
            using SafeFileHandle handle = File.OpenHandle(file.Path);
            await c.Features.Get<IConnectionSendFileFeature>()!.SendFileAsync(handle, 0, file.Length);
        };
        await using TestServer server = await TestServer.StartAsync(Options, app);
        using Socket client = await server.ConnectAsync();
        byte[] receivedHeader = new byte[header.Length];
        await Apps.ReceiveExactlyAsync(client, receivedHeader);
        Assert.Equal(header, receivedHeader);
        using var hash = new IncrementalHashSink();
        Assert.Equal(file.Length, await Apps.ReceiveToEndAsync(client, hash));
        Assert.Equal(fileHash, hash.Finish());
        Assert.Empty(server.AppErrors);
    }

    [Fact]
    public async Task SendFile_sends_a_region()
    {
        using var file = TempFile.Random(1024 * 1024, out _);
        var app = async (ConnectionContext c) =>
        {
            using SafeFileHandle handle = File.OpenHandle(file.Path);
            var sendFile = c.Features.Get<IConnectionSendFileFeature>()!;
            await sendFile.SendFileAsync(handle, 1000, 5000);
            await c.Transport.Output.WriteAsync("|"u8.ToArray());
            await sendFile.SendFileAsync(handle, 0, 10);
        };
        await using TestServer server = await TestServer.StartAsync(Options, app);
        using Socket client = await server.ConnectAsync();
        byte[] received = new byte[5011];
        await Apps.ReceiveExactlyAsync(client, received);
        byte[] content = File.ReadAllBytes(file.Path);
        Assert.Equal(content.AsSpan(1000, 5000).ToArray(), received.AsSpan(0, 5000).ToArray());
        Assert.Equal((byte)'|', received[5000]);
        Assert.Equal(content.AsSpan(0, 10).ToArray(), received.AsSpan(5001).ToArray());
        Assert.Equal(0, await Apps.ReceiveToEndAsync(client));
    }

    [Fact]
    public async Task SendFile_after_megabytes_of_flushed_output_keeps_the_order()
    {
        using var file = TempFile.Random(1024 * 1024, out byte[] fileHash);
        byte[] before = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        byte[] after = RandomNumberGenerator.GetBytes(1000);
        var app = async (ConnectionContext c) =>
        {
            using SafeFileHandle handle = File.OpenHandle(file.Path);
            await c.Transport.Output.WriteAsync(before);
            await c.Features.Get<IConnectionSendFileFeature>()!.SendFileAsync(handle, 0, file.Length);
            await c.Transport.Output.WriteAsync(after);
        };
        await using TestServer server = await TestServer.StartAsync(Options, app);
        using Socket client = await server.ConnectAsync();
        byte[] received = new byte[before.Length + file.Length + after.Length];
        await Apps.ReceiveExactlyAsync(client, received);
        Assert.True(received.AsSpan(0, before.Length).SequenceEqual(before));
        Assert.Equal(fileHash, SHA256.HashData(received.AsSpan(before.Length, (int)file.Length)));
        Assert.True(received.AsSpan(before.Length + (int)file.Length).SequenceEqual(after));
        Assert.Equal(0, await Apps.ReceiveToEndAsync(client));
    }

    [Fact]
    public async Task SendFile_to_a_stalled_peer_can_be_cancelled()
    {
        using var file = TempFile.Random(64L * 1024 * 1024, out _);
        var outcome = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var app = async (ConnectionContext c) =>
        {
            using SafeFileHandle handle = File.OpenHandle(file.Path);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                await c.Features.Get<IConnectionSendFileFeature>()!.SendFileAsync(handle, 0, file.Length, cts.Token);
                outcome.SetResult(null);
            }
            catch (Exception ex)
            {
                outcome.SetResult(ex);
            }
            c.Abort();
        };
        await using TestServer server = await TestServer.StartAsync(Options, app);
        using Socket client = await server.ConnectAsync();
        Assert.IsAssignableFrom<OperationCanceledException>(await outcome.Task.WaitAsync(TestServer.Timeout));
    }

    [Fact]
    public async Task SendFile_to_a_closed_peer_fails()
    {
        using var file = TempFile.Random(64L * 1024 * 1024, out _);
        var outcome = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource();
        var app = async (ConnectionContext c) =>
        {
            using SafeFileHandle handle = File.OpenHandle(file.Path);
            started.SetResult();
            try
            {
                await c.Features.Get<IConnectionSendFileFeature>()!.SendFileAsync(handle, 0, file.Length);
                outcome.SetResult(null);
            }
            catch (Exception ex)
            {
                outcome.SetResult(ex);
            }
        };
        await using TestServer server = await TestServer.StartAsync(Options, app);
        Socket client = await server.ConnectAsync();
        await started.Task.WaitAsync(TestServer.Timeout);
        // Gate: the file is on its way (its first bytes reached the client) when the peer resets.
        await Poll.UntilAsync(() => client.Available > 0, "the file's first bytes arrive");
        client.LingerState = new LingerOption(true, 0);
        client.Dispose();
        Assert.IsAssignableFrom<IOException>(await outcome.Task.WaitAsync(TestServer.Timeout));
    }
}

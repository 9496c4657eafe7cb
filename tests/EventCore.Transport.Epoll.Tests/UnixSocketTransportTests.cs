using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventCore.Transport.Epoll.Tests;

/// <summary>The transport on Unix domain sockets: one socket shared by every loop, its file, its endpoints.</summary>
public sealed class UnixSocketTransportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("eventcore-uds-").FullName;

    private string SocketPath => Path.Combine(_directory, "t.sock");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Every_loop_accepts_and_echoes_over_one_socket()
    {
        await using var factory = CreateFactory(loops: 2);
        await using var listener = await factory.BindAsync(new UnixDomainSocketEndPoint(SocketPath));
        Assert.Equal(SocketPath, listener.EndPoint.ToString());
        var clients = new List<Socket>();
        var served = new List<Task>();
        for (int i = 0; i < 8; i++)
        {
            var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            clients.Add(client);
            await client.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
            var connection = await listener.AcceptAsync().AsTask().WaitAsync(TestServer.Timeout);
            Assert.NotNull(connection);
            Assert.Equal(SocketPath, connection.LocalEndPoint!.ToString());
            Assert.IsType<UnixDomainSocketEndPoint>(connection.RemoteEndPoint);
            served.Add(Apps.EchoAsync(connection));
        }
        foreach (Socket client in clients)
        {
            await Apps.RoundTripAsync(client, [1, 2, 3]);
            client.Shutdown(SocketShutdown.Send);
        }
        await Task.WhenAll(served).WaitAsync(TestServer.Timeout);
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Unbind_removes_the_socket_file()
    {
        await using var factory = CreateFactory(loops: 2);
        var listener = await factory.BindAsync(new UnixDomainSocketEndPoint(SocketPath));
        Assert.True(File.Exists(SocketPath));
        await listener.UnbindAsync();
        Assert.False(File.Exists(SocketPath));
    }

    [Fact]
    public async Task Disposing_the_factory_removes_the_socket_file()
    {
        var factory = CreateFactory(loops: 1);
        _ = await factory.BindAsync(new UnixDomainSocketEndPoint(SocketPath));
        await factory.DisposeAsync();
        Assert.False(File.Exists(SocketPath));
    }

    [Fact]
    public async Task A_live_socket_is_not_taken_over()
    {
        await using var factory = CreateFactory(loops: 1);
        await using var first = await factory.BindAsync(new UnixDomainSocketEndPoint(SocketPath));
        await Assert.ThrowsAsync<AddressInUseException>(() => factory.BindAsync(new UnixDomainSocketEndPoint(SocketPath)).AsTask());
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath)); // the first listener still owns it
    }

    [Fact]
    public void Unix_socket_address_round_trips()
    {
        Span<byte> buffer = stackalloc byte[SocketAddressCodec.MaxLength];
        int length = SocketAddressCodec.WriteUnix("/run/app.sock", buffer);
        Assert.Equal(2 + "/run/app.sock".Length + 1, length);
        var prototype = new UnixDomainSocketEndPoint("/x");
        Assert.Equal("/run/app.sock", SocketAddressCodec.ReadUnix(buffer[..(length - 1)], prototype).ToString());
        Assert.Throws<ArgumentException>(() => SocketAddressCodec.WriteUnix(new string('a', 108), new byte[SocketAddressCodec.MaxLength]));
    }

    [Fact]
    public void Lstat_tells_sockets_from_files()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(SocketPath));
        Assert.True(Interop.Lstat(SocketPath, out bool isSocket, out ulong inode));
        Assert.True(isSocket);
        Assert.NotEqual(0UL, inode);
        string file = Path.Combine(_directory, "file");
        File.WriteAllText(file, "x");
        Assert.True(Interop.Lstat(file, out isSocket, out _));
        Assert.False(isSocket);
        Assert.False(Interop.Lstat(Path.Combine(_directory, "missing"), out _, out _));
        Assert.Equal(Errno.ENOENT, Interop.LastErrno);
    }

    private static EpollTransportFactory CreateFactory(int loops)
        => new(Options.Create(new EpollTransportOptions { LoopCount = loops }), NullLoggerFactory.Instance);
}

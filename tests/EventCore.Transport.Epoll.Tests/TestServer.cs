using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventCore.Transport.Epoll.Tests;

/// <summary>A factory + listener + accept loop running <c>app</c> for every connection, then disposing it.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly Func<ConnectionContext, Task> _app;
    private Task _acceptLoop = Task.CompletedTask;

    private TestServer(EpollTransportFactory factory, Func<ConnectionContext, Task> app)
    {
        Factory = factory;
        _app = app;
    }

    public EpollTransportFactory Factory { get; }

    public IConnectionListener Listener { get; private set; } = null!;

    public IPEndPoint EndPoint => (IPEndPoint)Listener.EndPoint;

    public ConcurrentQueue<ConnectionContext> Connections { get; } = new();

    public ConcurrentQueue<Exception> AppErrors { get; } = new();

    public static async Task<TestServer> StartAsync(
        EpollTransportOptions options, Func<ConnectionContext, Task> app, IPEndPoint? endPoint = null,
        ILoggerFactory? loggerFactory = null, bool acceptLoop = true)
    {
        var factory = new EpollTransportFactory(Options.Create(options), loggerFactory ?? NullLoggerFactory.Instance);
        var server = new TestServer(factory, app);
        server.Listener = await factory.BindAsync(endPoint ?? new IPEndPoint(IPAddress.Loopback, 0));
        if (acceptLoop)
        {
            server._acceptLoop = Task.Run(server.AcceptLoopAsync);
        }
        return server;
    }

    public async Task<Socket> ConnectAsync(IPEndPoint? endPoint = null)
    {
        endPoint ??= EndPoint;
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint).WaitAsync(Timeout);
        return socket;
    }

    public async ValueTask DisposeAsync()
    {
        await Listener.DisposeAsync();
        await _acceptLoop.WaitAsync(Timeout);
        await Factory.DisposeAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (await Listener.AcceptAsync() is { } connection)
        {
            Connections.Enqueue(connection);
            _ = RunAsync(connection);
        }
    }

    private async Task RunAsync(ConnectionContext connection)
    {
        try
        {
            await _app(connection);
        }
        catch (Exception ex)
        {
            AppErrors.Enqueue(ex);
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }
}

using System.Net;
using System.Net.Sockets;

namespace EventCore.Transport.Epoll.Tests;

/// <summary>Listener behaviour: unbind, cancellation, endpoints, address families.</summary>
public abstract partial class TransportTests
{
    [Fact]
    public async Task Unbind_keeps_open_connections_and_refuses_new_ones()
    {
        await using TestServer server = await TestServer.StartAsync(Options, Apps.EchoAsync, acceptLoop: false);
        using Socket client = await server.ConnectAsync();
        var connection = await server.Listener.AcceptAsync().AsTask().WaitAsync(TestServer.Timeout);
        Assert.NotNull(connection);
        Task echo = Apps.EchoAsync(connection);

        await server.Listener.UnbindAsync().AsTask().WaitAsync(TestServer.Timeout);

        Assert.Null(await server.Listener.AcceptAsync().AsTask().WaitAsync(TestServer.Timeout));
        await Apps.RoundTripAsync(client, [4, 5, 6]);
        var refused = await Assert.ThrowsAsync<SocketException>(() => server.ConnectAsync());
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        client.Shutdown(SocketShutdown.Send);
        await echo.WaitAsync(TestServer.Timeout);
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task AcceptAsync_returns_null_once_the_factory_is_disposed()
    {
        TestServer server = await TestServer.StartAsync(Options, Apps.EchoAsync, acceptLoop: false);
        ValueTask<Microsoft.AspNetCore.Connections.ConnectionContext?> accept = server.Listener.AcceptAsync();
        await server.Factory.DisposeAsync();
        Assert.Null(await accept.AsTask().WaitAsync(TestServer.Timeout));
        await server.DisposeAsync();
    }

    [Fact]
    public async Task AcceptAsync_honours_cancellation()
    {
        await using TestServer server = await TestServer.StartAsync(Options, Apps.EchoAsync, acceptLoop: false);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => server.Listener.AcceptAsync(cts.Token).AsTask().WaitAsync(TestServer.Timeout));
    }

    [Fact]
    public async Task Binding_a_port_held_without_SO_REUSEPORT_throws_AddressInUse()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        await using var factory = new EpollTransportFactory(
            Microsoft.Extensions.Options.Options.Create(Options), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await Assert.ThrowsAsync<Microsoft.AspNetCore.Connections.AddressInUseException>(
            () => factory.BindAsync(holder.LocalEndPoint!).AsTask());
    }

    [Fact]
    public async Task Binding_a_port_another_epoll_listener_holds_throws_AddressInUse()
    {
        // Both sides set SO_REUSEPORT on their listening sockets: without the exclusive probe the kernel would accept the
        // second bind and split the connections between the two listeners.
        await using TestServer server = await TestServer.StartAsync(Options, Apps.EchoAsync);
        await using var rival = new EpollTransportFactory(
            Microsoft.Extensions.Options.Options.Create(Options), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await Assert.ThrowsAsync<Microsoft.AspNetCore.Connections.AddressInUseException>(() => rival.BindAsync(server.EndPoint).AsTask());
        using Socket client = await server.ConnectAsync();
        await Apps.RoundTripAsync(client, [3]); // the first listener still serves
    }

    [Fact]
    public async Task A_port_is_bindable_again_once_its_listener_is_unbound()
    {
        IPEndPoint endPoint;
        await using (TestServer first = await TestServer.StartAsync(Options, Apps.EchoAsync))
        {
            endPoint = first.EndPoint;
            using Socket client = await first.ConnectAsync();
            await Apps.RoundTripAsync(client, [4]); // a connection that leaves TIME_WAIT behind
        }

        await using TestServer second = await TestServer.StartAsync(Options, Apps.EchoAsync, endPoint);
        using Socket again = await second.ConnectAsync();
        await Apps.RoundTripAsync(again, [5]);
    }

    [Fact]
    public async Task Port_zero_reports_the_bound_port()
    {
        await using TestServer server = await TestServer.StartAsync(Options, Apps.EchoAsync);
        Assert.NotEqual(0, server.EndPoint.Port);
        Assert.Equal(IPAddress.Loopback, server.EndPoint.Address);
        using Socket client = await server.ConnectAsync();
        await Apps.RoundTripAsync(client, [7]);
    }

    [Fact]
    public async Task Serves_IPv6()
    {
        await using TestServer server = await TestServer.StartAsync(Options, Apps.EchoAsync, new IPEndPoint(IPAddress.IPv6Loopback, 0));
        using Socket client = await server.ConnectAsync();
        await Apps.RoundTripAsync(client, [8, 9]);
        Assert.Equal(AddressFamily.InterNetworkV6, server.Connections.Single().RemoteEndPoint!.AddressFamily);
    }

    [Fact]
    public async Task IPv6_any_is_dual_stack()
    {
        await using TestServer server = await TestServer.StartAsync(Options, Apps.EchoAsync, new IPEndPoint(IPAddress.IPv6Any, 0));
        using Socket v4 = await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.EndPoint.Port));
        using Socket v6 = await server.ConnectAsync(new IPEndPoint(IPAddress.IPv6Loopback, server.EndPoint.Port));
        await Apps.RoundTripAsync(v4, [1]);
        await Apps.RoundTripAsync(v6, [2]);
        Assert.All(server.Connections, c => Assert.Equal(server.EndPoint.Port, ((IPEndPoint)c.LocalEndPoint!).Port));
    }
}

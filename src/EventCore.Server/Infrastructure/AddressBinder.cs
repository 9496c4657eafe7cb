using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// Binds endpoints through the transport, Kestrel's way: any IP → [::] dual-stack (0.0.0.0 without IPv6),
/// localhost → 127.0.0.1 and [::1] (the latter optional), IP literals and Unix sockets as given, port 0 → a free
/// port. Returns each listener with the address as actually bound (for IServerAddressesFeature; empty for the
/// [::1] twin of a localhost endpoint, which shares its address) and the endpoint it serves.
/// </summary>
internal sealed class AddressBinder(IConnectionListenerFactory factory, ILogger logger)
{
    private readonly IConnectionListenerFactory _factory = factory;
    private readonly ILogger _logger = logger;

    public async Task<List<BoundListener>> BindAsync(IEnumerable<ListenOptions> endpoints, CancellationToken cancellationToken)
    {
        var bound = new List<BoundListener>();
        try
        {
            foreach (var endpoint in endpoints)
            {
                await BindEndpointAsync(endpoint, bound, cancellationToken);
            }
        }
        catch
        {
            foreach (var listener in bound)
            {
                await listener.Listener.DisposeAsync();
            }

            throw;
        }

        return bound;
    }

    private async Task BindEndpointAsync(ListenOptions endpoint, List<BoundListener> bound, CancellationToken cancellationToken)
    {
        switch (endpoint.Kind)
        {
            case ListenKind.Localhost:
                await BindLocalhostAsync(endpoint, bound, cancellationToken);
                break;
            case ListenKind.AnyIP:
                if (endpoint.HostName is { } host && host is not ("*" or "+" or "" or "0.0.0.0" or "[::]"))
                {
                    ServerLog.BindingToAnyForHostName(_logger, host);
                }

                var any = await BindAnyAsync(endpoint.IPEndPoint!.Port, cancellationToken);
                bound.Add(new BoundListener(any, endpoint.FormatAddress(any.EndPoint), endpoint));
                break;
            default:
                var listener = await _factory.BindAsync(endpoint.EndPoint, cancellationToken);
                bound.Add(new BoundListener(listener, endpoint.FormatAddress(listener.EndPoint), endpoint));
                break;
        }
    }

    private async Task BindLocalhostAsync(ListenOptions endpoint, List<BoundListener> bound, CancellationToken cancellationToken)
    {
        var v4 = await _factory.BindAsync(new IPEndPoint(IPAddress.Loopback, endpoint.IPEndPoint!.Port), cancellationToken);
        var actualPort = ((IPEndPoint)v4.EndPoint).Port;
        bound.Add(new BoundListener(v4, $"{(endpoint.IsTls ? "https" : "http")}://localhost:{actualPort}", endpoint));
        try
        {
            var v6 = await _factory.BindAsync(new IPEndPoint(IPAddress.IPv6Loopback, actualPort), cancellationToken);
            bound.Add(new BoundListener(v6, string.Empty, endpoint)); // same published address as the IPv4 listener
        }
        catch (Exception ex) when (ex is SocketException or AddressInUseException or NotSupportedException or IOException)
        {
            ServerLog.OptionalBindFailed(_logger, $"[::1]:{actualPort}", ex.Message);
        }
    }

    private async Task<IConnectionListener> BindAnyAsync(int port, CancellationToken cancellationToken)
    {
        if (Socket.OSSupportsIPv6)
        {
            try
            {
                return await _factory.BindAsync(new IPEndPoint(IPAddress.IPv6Any, port), cancellationToken);
            }
            catch (Exception ex) when (ex is SocketException { SocketErrorCode: SocketError.AddressFamilyNotSupported } or NotSupportedException)
            {
                ServerLog.OptionalBindFailed(_logger, $"[::]:{port}", ex.Message);
            }
        }

        return await _factory.BindAsync(new IPEndPoint(IPAddress.Any, port), cancellationToken);
    }
}

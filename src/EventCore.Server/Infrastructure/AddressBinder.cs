using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// Turns URLs into bound listeners, Kestrel's way: <c>*</c>/<c>+</c> → [::] dual-stack (0.0.0.0 without IPv6),
/// <c>localhost</c> → 127.0.0.1 and [::1] (the latter optional), IP literals as given, port 0 → a free port.
/// Returns the addresses as actually bound, for IServerAddressesFeature.
/// </summary>
internal sealed class AddressBinder(IConnectionListenerFactory factory, ILogger logger)
{
    private readonly IConnectionListenerFactory _factory = factory;
    private readonly ILogger _logger = logger;

    public async Task<List<(IConnectionListener Listener, string Address)>> BindAsync(IEnumerable<string> urls, CancellationToken cancellationToken)
    {
        var bound = new List<(IConnectionListener, string)>();
        try
        {
            foreach (var url in urls)
            {
                await BindUrlAsync(url, bound, cancellationToken);
            }
        }
        catch
        {
            foreach (var (listener, _) in bound)
            {
                await listener.DisposeAsync();
            }

            throw;
        }

        return bound;
    }

    private async Task BindUrlAsync(string url, List<(IConnectionListener, string)> bound, CancellationToken cancellationToken)
    {
        var address = BindingAddress.Parse(url);
        if (!string.Equals(address.Scheme, "http", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Unsupported address '{url}': EventCore serves plain http:// only (HTTPS is not supported; terminate TLS in a proxy).");
        }

        if (address.IsUnixPipe || address.IsNamedPipe)
        {
            throw new InvalidOperationException($"Unsupported address '{url}': only TCP addresses are supported.");
        }

        if (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            await BindLocalhostAsync(address.Port, bound, cancellationToken);
        }
        else if (IPAddress.TryParse(address.Host, out var ip))
        {
            var listener = await _factory.BindAsync(new IPEndPoint(ip, address.Port), cancellationToken);
            bound.Add((listener, Format(listener.EndPoint)));
        }
        else
        {
            if (address.Host is not ("*" or "+" or "" or "0.0.0.0" or "[::]"))
            {
                ServerLog.BindingToAnyForHostName(_logger, address.Host);
            }

            var listener = await BindAnyAsync(address.Port, cancellationToken);
            bound.Add((listener, Format(listener.EndPoint)));
        }
    }

    private async Task BindLocalhostAsync(int port, List<(IConnectionListener, string)> bound, CancellationToken cancellationToken)
    {
        var v4 = await _factory.BindAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
        var actualPort = ((IPEndPoint)v4.EndPoint).Port;
        bound.Add((v4, $"http://localhost:{actualPort}"));
        try
        {
            var v6 = await _factory.BindAsync(new IPEndPoint(IPAddress.IPv6Loopback, actualPort), cancellationToken);
            bound.Add((v6, string.Empty)); // same published address as the IPv4 listener
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

    private static string Format(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 } ip => $"http://[{ip.Address}]:{ip.Port}",
        IPEndPoint ip => $"http://{ip.Address}:{ip.Port}",
        _ => $"http://{endPoint}",
    };
}

using System.Net;
using EventCore.Server;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventCore.FunctionalTests.Infrastructure;

/// <summary>Puts the chosen server on a web host, and finds where it listens.</summary>
internal static class ServerSetup
{
    /// <summary>The hosting URL every test host binds: loopback, any free port.</summary>
    public const string AnyLoopbackPort = "http://127.0.0.1:0";

    /// <summary>
    /// Registers exactly one server. Whatever an earlier step registered (the app's own choice, the test
    /// factory's Kestrel) is removed first, so an EventCore suite can never silently run on another transport
    /// picked up from DI. The epoll suite names its transport explicitly (a DI singleton, so the host disposes
    /// it) rather than trusting EventCore's default; <c>EventCoreEpollTests.DefaultTransportIsEpoll</c> checks
    /// the default separately.
    /// </summary>
    public static IWebHostBuilder UseServer(this IWebHostBuilder web, ServerKind kind, TestLimits? limits)
    {
        web.ConfigureServices(services =>
        {
            services.RemoveAll<IServer>();
            services.RemoveAll<IConnectionListenerFactory>();
        });
        return kind switch
        {
            ServerKind.EventCoreEpoll => web
                .ConfigureServices(services => services.AddOptions<EpollTransportOptions>().Services.AddSingleton<EpollTransportFactory>())
                .UseEventCore(o => o.TransportFactory = services => services.GetRequiredService<EpollTransportFactory>()),
            ServerKind.EventCoreSockets => web.UseEventCore(o => o.TransportFactory = CreateSocketTransport),
            ServerKind.Kestrel => web.UseKestrel(o =>
            {
                if (limits is not null)
                {
                    o.Limits.MaxRequestBodySize = limits.MaxRequestBodySize;
                    o.Limits.KeepAliveTimeout = limits.KeepAliveTimeout;
                    o.Limits.RequestHeadersTimeout = limits.RequestHeadersTimeout;
                }
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    /// <summary>The endpoint the started server listens on, from its <see cref="IServerAddressesFeature"/>.</summary>
    public static IPEndPoint GetListeningEndPoint(IServer server, ServerKind kind)
    {
        CheckServerType(server, kind);
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException($"{server.GetType().Name} has no IServerAddressesFeature: the bound address is unknown.");
        foreach (var address in addresses)
        {
            var uri = new Uri(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal));
            if (uri.Port > 0 && IPAddress.TryParse(uri.Host, out var ip))
            {
                return new IPEndPoint(ip, uri.Port);
            }
        }

        throw new InvalidOperationException(
            $"{server.GetType().Name} did not publish the port it bound in IServerAddressesFeature (addresses: [{string.Join(", ", addresses)}]); " +
            "after binding port 0 the feature must hold the real address, as Kestrel's does.");
    }

    private static void CheckServerType(IServer server, ServerKind kind)
    {
        var isEventCore = server is EventCoreServer;
        var wanted = kind is ServerKind.EventCoreEpoll or ServerKind.EventCoreSockets;
        if (isEventCore != wanted)
        {
            throw new InvalidOperationException($"The host runs {server.GetType().FullName}, not the server of suite {kind}.");
        }
    }

    private static SocketTransportFactory CreateSocketTransport(IServiceProvider services) =>
        new(Options.Create(new SocketTransportOptions()), services.GetRequiredService<ILoggerFactory>());
}

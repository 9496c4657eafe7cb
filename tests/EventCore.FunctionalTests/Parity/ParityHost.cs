using System.Net;
using EventCore.FunctionalTests.Infrastructure;
using EventCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EventCore.FunctionalTests.Parity;

/// <summary>
/// A small app with the endpoints a parity case needs, on EventCore or on Kestrel with the same
/// <see cref="ParitySettings"/>, on 127.0.0.1 and a free port. One per test.
/// </summary>
public sealed class ParityHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ParityHost(WebApplication app, ServerKind server)
    {
        _app = app;
        Server = server;
    }

    /// <summary>The server the app runs on.</summary>
    public ServerKind Server { get; }

    /// <summary>Whether the app runs on EventCore (either transport).</summary>
    public bool IsEventCore => Server != ServerKind.Kestrel;

    /// <summary>Where the app listens.</summary>
    public IPEndPoint EndPoint { get; private set; } = null!;

    /// <summary>Builds the app (<paramref name="map"/> adds middleware and endpoints) and starts it.</summary>
    public static async Task<ParityHost> StartAsync(ServerKind server, ParitySettings settings, Action<WebApplication> map, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseServer(server, limits: null).UseUrls(ServerSetup.AnyLoopbackPort);
        TestLogging.Configure(builder.Logging);
        Apply(builder.Services, settings);
        var host = new ParityHost(builder.Build(), server);
        map(host._app);
        try
        {
            await host._app.StartAsync(cancellationToken);
            host.EndPoint = ServerSetup.GetListeningEndPoint(host._app.Services.GetRequiredService<IServer>(), server);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>The host's graceful stop (IServer.StopAsync with the host's ShutdownTimeout token).</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static void Apply(IServiceCollection services, ParitySettings settings)
    {
        services.Configure<EventCoreServerOptions>(o =>
        {
            o.Limits.MaxConcurrentConnections = settings.MaxConcurrentConnections;
            o.Limits.MaxConcurrentUpgradedConnections = settings.MaxConcurrentUpgradedConnections;
            o.ResponseHeaderEncodingSelector = settings.ResponseHeaderEncodingSelector;
            o.RequestHeaderEncodingSelector = settings.RequestHeaderEncodingSelector;
        });
        services.Configure<KestrelServerOptions>(o =>
        {
            o.Limits.MaxConcurrentConnections = settings.MaxConcurrentConnections;
            o.Limits.MaxConcurrentUpgradedConnections = settings.MaxConcurrentUpgradedConnections;
            if (settings.ResponseHeaderEncodingSelector is { } response)
            {
                o.ResponseHeaderEncodingSelector = response;
            }

            if (settings.RequestHeaderEncodingSelector is { } request)
            {
                o.RequestHeaderEncodingSelector = request;
            }
        });
        if (settings.ShutdownTimeout is { } timeout)
        {
            services.Configure<HostOptions>(o => o.ShutdownTimeout = timeout);
        }
    }
}

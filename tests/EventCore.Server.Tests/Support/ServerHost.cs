using System.Net;
using System.Net.Sockets;
using EventCore.Server;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventCore.Server.Tests.Support;

/// <summary>An <see cref="EventCoreServer"/> on 127.0.0.1:0 over Kestrel's Sockets transport, running a RequestDelegate.</summary>
internal sealed class ServerHost : IAsyncDisposable
{
    private readonly EventCoreServer _server;
    private bool _stopped;

    private ServerHost(EventCoreServer server, CapturingLoggerProvider logs, EpollTransportFactory? epoll)
    {
        _server = server;
        Logs = logs;
        Epoll = epoll;
    }

    /// <summary>The epoll transport the host made from explicit options (see <see cref="StartOnEpollAsync"/>).</summary>
    public EpollTransportFactory? Epoll { get; }

    public CapturingLoggerProvider Logs { get; }

    /// <summary>The server's open connections.</summary>
    public Infrastructure.ConnectionManager Connections => _server.Connections;

    public ICollection<string> Addresses => _server.Features.Get<IServerAddressesFeature>()!.Addresses;

    public int Port => new Uri(Addresses.First()).Port;

    public static Task<ServerHost> StartAsync(RequestDelegate app, Action<EventCoreServerOptions>? configure = null, bool defaultTransport = false, TimeProvider? time = null)
        => StartAsync(new DelegateApplication(app), configure, defaultTransport, epoll: null, time);

    /// <summary>Starts on an epoll transport with these options (logging to <see cref="Logs"/>), disposed with the host.</summary>
    public static Task<ServerHost> StartOnEpollAsync(RequestDelegate app, EpollTransportOptions epoll, Action<EventCoreServerOptions>? configure = null)
        => StartAsync(new DelegateApplication(app), configure, defaultTransport: false, epoll);

    /// <summary>
    /// Starts on the Sockets transport, or on the server's default (epoll) when <paramref name="defaultTransport"/>, or on
    /// an epoll transport with <paramref name="epoll"/>; <paramref name="time"/> is registered as the host's
    /// <see cref="TimeProvider"/> (the server's policies read it).
    /// </summary>
    public static async Task<ServerHost> StartAsync<TContext>(
        IHttpApplication<TContext> app, Action<EventCoreServerOptions>? configure = null, bool defaultTransport = false, EpollTransportOptions? epoll = null, TimeProvider? time = null)
        where TContext : notnull
    {
        var logs = new CapturingLoggerProvider();
        var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var options = new EventCoreServerOptions();
        configure?.Invoke(options);
        if (options.Urls.Count == 0)
        {
            options.Urls.Add("http://127.0.0.1:0");
        }

        var epollFactory = epoll is null ? null : new EpollTransportFactory(Options.Create(epoll), loggerFactory);
        if (epollFactory is not null)
        {
            options.TransportFactory = _ => epollFactory;
        }
        else if (!defaultTransport)
        {
            options.TransportFactory ??= _ => new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggerFactory);
        }

        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        var server = new EventCoreServer(Options.Create(options), services.BuildServiceProvider(), loggerFactory);
        await server.StartAsync(app, CancellationToken.None);
        return new ServerHost(server, logs, epollFactory);
    }

    public async Task<RawClient> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port));
        return new RawClient(socket);
    }

    public HttpClient CreateClient() => new() { BaseAddress = new Uri($"http://127.0.0.1:{Port}/"), Timeout = TimeSpan.FromSeconds(30) };

    public async Task StopAsync(TimeSpan? grace = null)
    {
        _stopped = true;
        using var cts = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(10));
        await _server.StopAsync(cts.Token);
    }

    /// <summary>StopAsync with the caller's token (the host's shutdown token, in a real app).</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopped = true;
        return _server.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            await StopAsync(TimeSpan.FromSeconds(2));
        }

        _server.Dispose();
        if (Epoll is not null)
        {
            await Epoll.DisposeAsync();
        }
    }

    /// <summary>The simplest IHttpApplication: a DefaultHttpContext over the server's features.</summary>
    private sealed class DelegateApplication(RequestDelegate app) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

        public Task ProcessRequestAsync(HttpContext context) => app(context);

        public void DisposeContext(HttpContext context, Exception? exception)
        {
        }
    }
}

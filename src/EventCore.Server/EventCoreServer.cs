using System.Diagnostics.Metrics;
using EventCore.Server.Http1;
using EventCore.Server.Infrastructure;
using EventCore.Server.Tls;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventCore.Server;

/// <summary>
/// The EventCore HTTP/1.1 server: binds the configured addresses through an <see cref="IConnectionListenerFactory"/>,
/// accepts connections and serves each with one HTTP/1.1 connection object. Registered by <c>UseEventCore()</c>.
/// </summary>
public sealed class EventCoreServer : IServer
{
    /// <summary>After the shutdown token fired and the rest were aborted, how long StopAsync waits for them to unwind (Kestrel's 1 s).</summary>
    private static readonly TimeSpan s_abortWait = TimeSpan.FromSeconds(1);

    private readonly EventCoreServerOptions _options;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly ServerAddressesFeature _addresses = new ServerAddressesFeature();
    private readonly ServerMetrics _metrics;
    private readonly ConnectionManager _connections = new();
    private readonly List<Task> _acceptLoops = [];
    private readonly List<IConnectionListener> _listeners = [];
    private readonly IMeterFactory? _meterFactory;
    private EpollTransportFactory? _ownedTransport;
    private ServiceContext? _serviceContext;
    private DateHeaderCache? _dateCache;
    private Heartbeat? _heartbeat;
    private EndpointResolver? _endpoints;
    private int _state; // 0 new, 1 started, 2 stopping/stopped

    /// <summary>The open connections (for tests).</summary>
    internal ConnectionManager Connections => _connections;

    /// <summary>Creates the server (normally done by dependency injection through <c>UseEventCore()</c>).</summary>
    public EventCoreServer(IOptions<EventCoreServerOptions> options, IServiceProvider services, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _services = services;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("EventCore.Server");
        _meterFactory = meterFactory;
        _metrics = new ServerMetrics(meterFactory);
        Features.Set<IServerAddressesFeature>(_addresses);
    }

    /// <inheritdoc />
    public IFeatureCollection Features { get; } = new FeatureCollection();

    /// <inheritdoc />
    public async Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        ArgumentNullException.ThrowIfNull(application);
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The server has already been started.");
        }

        _dateCache = new DateHeaderCache(TimeProvider.System);
        _serviceContext = new ServiceContext(_options, _loggerFactory, _metrics, _dateCache, _connections, _services.GetService<TimeProvider>());
        var resolver = _endpoints = new EndpointResolver(_options, _services, _metrics, _loggerFactory, _logger);
        var endpoints = resolver.Resolve(_addresses.Addresses.ToArray(), _addresses.PreferHostingUrls);
        var tlsLayers = endpoints.ToDictionary(e => e, resolver.CreateTlsLayer); // certificate errors fail before anything binds
        var binder = new AddressBinder(CreateTransportFactory(), _logger);
        var bound = await binder.BindAsync(endpoints, cancellationToken);
        var exchanges = new ExchangePool<TContext>(_serviceContext, application);
        _addresses.Addresses.Clear();
        foreach (var (listener, address, endpoint) in bound)
        {
            _listeners.Add(listener);
            if (address.Length > 0)
            {
                _addresses.Addresses.Add(address);
                ServerLog.Listening(_logger, address);
            }

            _acceptLoops.Add(AcceptLoopAsync(listener, exchanges, tlsLayers[endpoint]));
        }

        _heartbeat = new Heartbeat(_connections, TimeProvider.System, _loggerFactory.CreateLogger("EventCore.Server.Heartbeat"));
    }

    /// <summary>
    /// Graceful stop, Kestrel's way: <paramref name="cancellationToken"/> (the host's, which fires after
    /// <c>HostOptions.ShutdownTimeout</c>) is the whole budget. First <see cref="EventCoreServerOptions.ShutdownDelay"/>
    /// (accepting and serving on, responses with Connection: close); then stop accepting, close idle keep-alive
    /// connections, let requests in flight finish — however long their responses take — and abort what is left when
    /// the token fires. Returns when every connection is gone, or 1 s after that abort.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }

        _serviceContext!.IsShuttingDown = true;
        await ShutdownDelayAsync(cancellationToken);
        foreach (var listener in _listeners)
        {
            await listener.UnbindAsync(CancellationToken.None);
        }

        await Task.WhenAll(_acceptLoops);
        _connections.ForEach(static (c, _) => c.BeginShutdown(), 0);
        await WaitForConnectionsAsync(cancellationToken);
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync();
        }

        _heartbeat?.Dispose();
        _dateCache?.Dispose();
        _endpoints?.Dispose();
        if (_ownedTransport is not null)
        {
            await _ownedTransport.DisposeAsync();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // IServer.Dispose is synchronous; the host normally called StopAsync already, making this a no-op.
        StopAsync(new CancellationToken(canceled: true)).GetAwaiter().GetResult();
        _metrics.Dispose();
    }

    /// <summary>Keeps accepting for <see cref="EventCoreServerOptions.ShutdownDelay"/>, unless the host's token fires first.</summary>
    private async Task ShutdownDelayAsync(CancellationToken cancellationToken)
    {
        if (_options.ShutdownDelay <= TimeSpan.Zero || cancellationToken.IsCancellationRequested)
        {
            return;
        }

        ServerLog.ShutdownDelay(_logger, _options.ShutdownDelay);
        await Task.Delay(_options.ShutdownDelay, _serviceContext!.TimeProvider, cancellationToken)
            .ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    private async Task WaitForConnectionsAsync(CancellationToken cancellationToken)
    {
        var drained = _connections.WhenEmptyAsync();
        await drained.WaitAsync(cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
        if (!drained.IsCompleted)
        {
            ServerLog.AbortedOnShutdown(_logger, _connections.Count);
            _connections.ForEach(static (c, _) =>
            {
                c.EndReason.Overwrite(Infrastructure.Metrics.ConnectionEndReason.AppShutdownTimeout);
                c.Abort("The server is shutting down.");
            }, 0);

            // As Kestrel: give the aborted connections a moment to unwind, but do not wait for an app that ignores RequestAborted.
            await drained.WaitAsync(s_abortWait, CancellationToken.None).ContinueWith(static _ => { }, TaskScheduler.Default);
            if (!drained.IsCompleted)
            {
                ServerLog.NotAllConnectionsAborted(_logger, _connections.Count);
            }
        }
    }

    private async Task AcceptLoopAsync<TContext>(IConnectionListener listener, ExchangePool<TContext> exchanges, TlsConnectionLayer? tls)
        where TContext : notnull
    {
        try
        {
            while (await listener.AcceptAsync() is { } connection)
            {
                new ConnectionDispatcher<TContext>(connection, _serviceContext!, exchanges, tls).Queue();
            }
        }
        catch (ObjectDisposedException)
        {
            // Unbound while accepting.
        }
    }

    private IConnectionListenerFactory CreateTransportFactory()
        => _options.TransportFactory?.Invoke(_services) ?? CreateDefaultTransportFactory();

    /// <summary>
    /// The transport used when none is configured: epoll (options from <c>EventCore:Transport</c> when registered by
    /// <c>UseEventCore()</c>), owned and disposed by this server.
    /// </summary>
    private EpollTransportFactory CreateDefaultTransportFactory()
    {
        var transportOptions = _services.GetService<IOptions<EpollTransportOptions>>() ?? Options.Create(new EpollTransportOptions());
        var factory = new EpollTransportFactory(transportOptions, _loggerFactory, _meterFactory);
        _ownedTransport = factory;
        return factory;
    }
}

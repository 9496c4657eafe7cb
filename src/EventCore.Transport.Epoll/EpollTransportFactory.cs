using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventCore.Transport.Epoll;

/// <summary>
/// The epoll transport: an <see cref="IConnectionListenerFactory"/> for IP endpoints and Unix domain sockets on Linux. All listeners of
/// one factory share its loops (one thread each, created on the first bind). Disposing the factory stops the
/// loops and aborts the connections still open on them. Linux x64 only: the constructor throws
/// <see cref="PlatformNotSupportedException"/> elsewhere.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class EpollTransportFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector, IAsyncDisposable, IDisposable
{
    private readonly EpollTransportOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _listenerLogger;
    private readonly EpollTransportMetrics _metrics;
    private readonly DescriptorBudget _descriptors;
    private readonly Lock _lock = new();
    private EpollLoop[]? _loops;
    private BlockedLoopGuard? _guard;
    private bool _disposed;

    /// <summary>Creates the factory (normally through dependency injection).</summary>
    /// <param name="options">The transport options.</param>
    /// <param name="loggerFactory">Logs accept errors and unexpected socket errors.</param>
    /// <param name="meterFactory">Creates the "EventCore.Transport.Epoll" meter; without it the factory owns a meter of its own.</param>
    /// <exception cref="PlatformNotSupportedException">The process does not run on Linux x64; the message says what to use instead.</exception>
    public EpollTransportFactory(IOptions<EpollTransportOptions> options, ILoggerFactory loggerFactory, IMeterFactory? meterFactory = null)
    {
        EpollPlatform.ThrowIfUnsupported("EventCore.Transport.Epoll", "the EpollTransportFactory");
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options.Value;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.LoopCount, 1, nameof(options));
        if (_options.BlockedLoopThreshold <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.BlockedLoopThreshold, "BlockedLoopThreshold must be positive.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxBlockedLoopThreads, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxSocketUnsentBytes ?? 0, nameof(options));
        _loggerFactory = loggerFactory;
        _listenerLogger = loggerFactory.CreateLogger<EpollConnectionListener>();
        _metrics = new EpollTransportMetrics(meterFactory);
        _descriptors = new DescriptorBudget(_options.DescriptorReserve, _listenerLogger);
    }

    internal EpollTransportMetrics Metrics => _metrics;

    /// <summary>The running loops (empty before the first bind).</summary>
    internal IReadOnlyList<EpollLoop> Loops => _loops ?? [];

    /// <summary>The blocked-loop guard (null before the first bind).</summary>
    internal BlockedLoopGuard? Guard => _guard;

    /// <inheritdoc />
    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (!CanBind(endpoint))
        {
            throw new NotSupportedException($"The epoll transport binds IP endpoints and Unix domain sockets only, not {endpoint?.GetType().Name}.");
        }
        cancellationToken.ThrowIfCancellationRequested();
        EpollLoop[] loops = EnsureLoops();
        return endpoint is UnixDomainSocketEndPoint unix
            ? await EpollConnectionListener.BindUnixAsync(loops, unix, _options.Backlog, _listenerLogger, _descriptors)
            : await EpollConnectionListener.BindAsync(loops, (IPEndPoint)endpoint, _options.Backlog, _listenerLogger, _descriptors);
    }

    /// <inheritdoc />
    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint or UnixDomainSocketEndPoint;

    /// <inheritdoc />
    public void Dispose()
    {
        EpollLoop[]? loops;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            loops = _loops;
        }
        foreach (EpollLoop loop in loops ?? [])
        {
            loop.Dispose();
        }
        // After the loops: a loop whose thread is blocked while stopping needs the guard to hand it off.
        _guard?.Dispose();
        _metrics.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private EpollLoop[] EnsureLoops()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_loops is null)
            {
                var loops = new EpollLoop[_options.LoopCount];
                for (int i = 0; i < loops.Length; i++)
                {
                    loops[i] = new EpollLoop(i, _options, _metrics, _loggerFactory);
                }
                _guard = new BlockedLoopGuard(_options, _metrics, _loggerFactory);
                _guard.Start(loops);
                _loops = loops;
            }
            return _loops;
        }
    }
}

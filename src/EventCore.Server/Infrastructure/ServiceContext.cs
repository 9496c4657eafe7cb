using EventCore.Server.Http1;
using Microsoft.Extensions.Logging;

namespace EventCore.Server.Infrastructure;

/// <summary>What every connection of one server shares (read-only after start; all members thread-safe).</summary>
internal sealed class ServiceContext(
    EventCoreServerOptions options,
    ILoggerFactory loggerFactory,
    ServerMetrics metrics,
    DateHeaderCache dateCache,
    ConnectionManager connections,
    TimeProvider? timeProvider = null)
{
    public EventCoreServerOptions Options { get; } = options;

    public EventCoreServerLimits Limits => Options.Limits;

    /// <summary>The parser keeps no per-instance state, so every connection shares this one.</summary>
    public HttpParser Parser { get; } = new(new HttpParserLimits(
        options.Limits.MaxRequestLineSize,
        options.Limits.MaxRequestHeaderLineSize,
        options.Limits.MaxRequestHeadersTotalSize,
        options.Limits.MaxRequestHeaderCount));

    public ILogger ConnectionLogger { get; } = loggerFactory.CreateLogger("EventCore.Server.Http1.Http1Connection");

    public ServerMetrics Metrics { get; } = metrics;

    public DateHeaderCache DateCache { get; } = dateCache;

    public ConnectionManager Connections { get; } = connections;

    /// <summary>The clock of the connection-age and shutdown-delay policies (the host's <see cref="TimeProvider"/> if it registers one).</summary>
    public TimeProvider TimeProvider { get; } = timeProvider ?? TimeProvider.System;

    /// <summary><see cref="EventCoreServerLimits.MaxConcurrentConnections"/> (upgraded connections leave it).</summary>
    public ConcurrencyLimit ConnectionLimit { get; } = new(options.Limits.MaxConcurrentConnections);

    /// <summary><see cref="EventCoreServerLimits.MaxConcurrentUpgradedConnections"/>.</summary>
    public ConcurrencyLimit UpgradeLimit { get; } = new(options.Limits.MaxConcurrentUpgradedConnections);

    public ConnectionAgePolicy ConnectionAge { get; } = new(options.Limits.MaxConnectionAge, timeProvider ?? TimeProvider.System);

    /// <summary>Set once <c>StopAsync</c> begins (with the shutdown delay, at its start): responses get <c>Connection: close</c>.</summary>
    public bool IsShuttingDown
    {
        get => Volatile.Read(ref _isShuttingDown);
        set => Volatile.Write(ref _isShuttingDown, value);
    }

    private bool _isShuttingDown;
}

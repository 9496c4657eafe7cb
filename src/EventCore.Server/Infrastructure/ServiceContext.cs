using EventCore.Server.Http1;
using Microsoft.Extensions.Logging;

namespace EventCore.Server.Infrastructure;

/// <summary>What every connection of one server shares (read-only after start; all members thread-safe).</summary>
internal sealed class ServiceContext(
    EventCoreServerOptions options,
    ILoggerFactory loggerFactory,
    ServerMetrics metrics,
    DateHeaderCache dateCache,
    ConnectionManager connections)
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

    /// <summary>Set once <c>StopAsync</c> begins: responses get <c>Connection: close</c>.</summary>
    public bool IsShuttingDown
    {
        get => Volatile.Read(ref _isShuttingDown);
        set => Volatile.Write(ref _isShuttingDown, value);
    }

    private bool _isShuttingDown;
}

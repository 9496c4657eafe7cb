using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// The server's coarse clock: once a second it lets every open connection check its single deadline
/// (keep-alive, request-headers, body data rate). Each check is a couple of field reads, so a tick costs
/// O(open connections) once a second and nothing per request; the per-request path only writes a deadline field.
/// </summary>
internal sealed class Heartbeat : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly ConnectionManager _connections;
    private readonly ITimer _timer;
    private readonly ILogger? _logger;
    private int _ticking;

    public Heartbeat(ConnectionManager connections, TimeProvider timeProvider, ILogger? logger = null)
    {
        _connections = connections;
        _logger = logger;
        _timer = timeProvider.CreateTimer(static s => ((Heartbeat)s!).Tick(), this, Interval, Interval);
    }

    /// <summary>Milliseconds of a monotonic clock; what deadlines are expressed in.</summary>
    public static long Now => Environment.TickCount64;

    /// <summary>Ticks run so far (written by the tick, read by tests and the trace log).</summary>
    internal long Ticks => Volatile.Read(ref _ticks);

    /// <summary>Connections visited by all ticks so far: what a tick costs.</summary>
    internal long Visits => Volatile.Read(ref _visits);

    private long _ticks;
    private long _visits;

    public void Tick()
    {
        // A slow tick (thousands of connections on a loaded box) must not overlap the next one.
        if (Interlocked.Exchange(ref _ticking, 1) == 1)
        {
            return;
        }

        try
        {
            var started = Stopwatch.GetTimestamp();
            var visited = new long[1];
            _connections.ForEach(static (c, state) =>
            {
                state.visited[0]++;
                Touch(c, state.now);
            }, (now: Now, visited));
            Volatile.Write(ref _visits, _visits + visited[0]);
            Volatile.Write(ref _ticks, _ticks + 1);
            if (_logger is not null && _logger.IsEnabled(LogLevel.Trace))
            {
                ServerLog.HeartbeatTick(_logger, visited[0], Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    public void Dispose() => _timer.Dispose();

    /// <summary>An exception escaping a timer callback would end the process: one connection's failure stays its own.</summary>
    private static void Touch(Http1.Http1Connection connection, long now)
    {
        try
        {
            connection.OnHeartbeat(now);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            connection.Abort("Timeout handling failed: " + ex.Message);
        }
    }
}

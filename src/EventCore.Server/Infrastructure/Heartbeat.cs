using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// The server's coarse clock: once a second it ticks the connections' timers (<see cref="ConnectionTimers"/>): the
/// idle connections whose time of interest (pipe release, keep-alive deadline) falls in the seconds that passed, and
/// the connections with a request-time clock running (headers, drain, body and response data rates). Idle connections
/// cost nothing per tick, and the per-request path only writes a deadline field (and, when a clock starts or an idle
/// connection is not filed in time, pushes the connection on a lock-free stack).
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

    /// <summary>
    /// How far <see cref="Now"/> may lag real time: on Linux it reads the kernel's coarse monotonic clock, which moves
    /// once a jiffy (4 ms at HZ=250, 10 ms at HZ=100). A deadline adds it, so a timeout never fires before its time.
    /// </summary>
    public const long ClockLagMs = 10;

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
            var visited = _connections.Timers.Tick(Now);
            if (_logger is not null && _logger.IsEnabled(LogLevel.Trace))
            {
                ServerLog.HeartbeatTick(_logger, visited, Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    public void Dispose() => _timer.Dispose();
}

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
    private int _ticking;

    public Heartbeat(ConnectionManager connections, TimeProvider timeProvider)
    {
        _connections = connections;
        _timer = timeProvider.CreateTimer(static s => ((Heartbeat)s!).Tick(), this, Interval, Interval);
    }

    /// <summary>Milliseconds of a monotonic clock; what deadlines are expressed in.</summary>
    public static long Now => Environment.TickCount64;

    public void Tick()
    {
        // A slow tick (thousands of connections on a loaded box) must not overlap the next one.
        if (Interlocked.Exchange(ref _ticking, 1) == 1)
        {
            return;
        }

        try
        {
            _connections.ForEach(static (c, now) => Touch(c, now), Now);
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

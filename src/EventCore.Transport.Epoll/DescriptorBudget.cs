using System.IO.Enumeration;
using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll;

/// <summary>
/// Keeps a reserve of free file descriptors for the runtime and the app (threads, files, sockets they open): the
/// listening sockets stop accepting when fewer than <see cref="Reserve"/> descriptors are free and resume once
/// half as many again are back (hysteresis, so accepting does not flap). Without it the transport hands every
/// descriptor up to RLIMIT_NOFILE to connections and the runtime then fails to open a file or start a thread —
/// a process crash, not a refused connection. One per transport factory; descriptors are per process, so every
/// loop and listener of the factory shares it.
/// </summary>
/// <remarks>
/// Cheap on the accept path: <c>accept4</c> returns the lowest free descriptor number, so every number below an
/// accepted <c>fd</c> is in use; a number at or above <c>limit - reserve</c> proves the reserve is reached. Near that
/// zone (within two reserves) the open descriptors are counted from <c>/proc/self/fd</c> (at most every few
/// milliseconds), which catches holes left by closed descriptors. The soft limit is re-read at most once a second,
/// so a limit changed at run time (<c>prlimit --pid</c>) takes effect. Thread-safe: the fields are cached numbers
/// that any loop may refresh; a stale read only delays a decision by one refresh.
/// </remarks>
internal sealed class DescriptorBudget
{
    private const long LimitRefreshMs = 1000;
    private const long CountRefreshMs = 5;
    private const long LogIntervalMs = 10_000;

    private readonly int? _configuredReserve;
    private readonly ILogger _logger;
    private long _limitReadAt;
    private int _limit;
    private int _reserve;
    private long _countedAt;
    private int _open;
    private long _loggedAt;
    private int _pausesSinceLog;

    public DescriptorBudget(int? configuredReserve, ILogger logger)
    {
        if (configuredReserve < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(configuredReserve), configuredReserve, "The descriptor reserve cannot be negative.");
        }

        _configuredReserve = configuredReserve;
        _logger = logger;
        RefreshLimit(Environment.TickCount64, force: true);
    }

    /// <summary>Descriptors kept free: the configured reserve, else a tenth of the limit between 32 and 1024.</summary>
    public int Reserve => Volatile.Read(ref _reserve);

    /// <summary>The soft RLIMIT_NOFILE as last read.</summary>
    public int Limit => Volatile.Read(ref _limit);

    /// <summary>Loop thread: after accepting <paramref name="fd"/>, whether the reserve is reached and accepting must pause.</summary>
    public bool IsReserveReached(int fd)
    {
        long now = Environment.TickCount64;
        RefreshLimit(now);
        int limit = Limit, reserve = Reserve;
        if (reserve == 0 || fd < limit - (2L * reserve))
        {
            return false;
        }

        return fd >= limit - reserve || limit - CountOpen(now) < reserve;
    }

    /// <summary>Loop thread, while paused: whether enough descriptors came back to accept again.</summary>
    public bool HasRecovered()
    {
        long now = Environment.TickCount64;
        RefreshLimit(now);
        return Limit - CountOpen(now, fresh: true) >= Reserve + (Reserve / 2);
    }

    /// <summary>Logs the pressure at most once per interval, however many loops pause how often.</summary>
    public void ReportPause(int loopIndex, string cause)
    {
        Interlocked.Increment(ref _pausesSinceLog);
        long now = Environment.TickCount64;
        long logged = Volatile.Read(ref _loggedAt);
        if ((logged != 0 && now - logged < LogIntervalMs) || Interlocked.CompareExchange(ref _loggedAt, now, logged) != logged)
        {
            return;
        }

        int pauses = Interlocked.Exchange(ref _pausesSinceLog, 0);
        _logger.LogWarning(
            "Descriptor pressure ({Cause}): {Open} of {Limit} file descriptors open, {Reserve} kept in reserve; accepting paused on loop {Index} ({Pauses} pauses since the last report, logged at most every {Interval} s)",
            cause, CountOpen(now, fresh: true), Limit, Reserve, loopIndex, pauses, LogIntervalMs / 1000);
    }

    private void RefreshLimit(long now, bool force = false)
    {
        if (!force && now - Volatile.Read(ref _limitReadAt) < LimitRefreshMs)
        {
            return;
        }

        int limit = Interop.GetDescriptorLimit();
        int reserve = _configuredReserve ?? (int)Math.Clamp(limit / 10L, 32, 1024);
        Volatile.Write(ref _reserve, (int)Math.Min(reserve, limit / 2L));
        Volatile.Write(ref _limit, limit);
        Volatile.Write(ref _limitReadAt, now);
    }

    /// <summary>
    /// Open descriptors of the process, counted from /proc/self/fd without allocating per entry; unless
    /// <paramref name="fresh"/>, a count a few milliseconds old is reused (a burst of accepts counts once).
    /// </summary>
    private int CountOpen(long now, bool fresh = false)
    {
        long counted = Volatile.Read(ref _countedAt);
        if (!fresh && counted != 0 && now - counted < CountRefreshMs)
        {
            return Volatile.Read(ref _open);
        }

        int open;
        try
        {
            var entries = new FileSystemEnumerable<byte>("/proc/self/fd", static (ref FileSystemEntry _) => 0, new EnumerationOptions { AttributesToSkip = 0 });
            open = -1; // the enumeration's own directory descriptor is listed too
            foreach (byte _ in entries)
            {
                open++;
            }
        }
        catch (IOException)
        {
            // Not even one descriptor to read the directory with: as full as it gets.
            open = Limit;
        }

        Volatile.Write(ref _open, open);
        Volatile.Write(ref _countedAt, now);
        return open;
    }
}

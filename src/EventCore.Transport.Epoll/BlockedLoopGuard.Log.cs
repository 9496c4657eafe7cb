using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll;

/// <summary>The guard's warnings: at most one per <see cref="s_warningInterval"/>, with a count of those held back. Monitor thread only.</summary>
internal sealed partial class BlockedLoopGuard
{
    private static readonly TimeSpan s_warningInterval = TimeSpan.FromSeconds(5);

    private long _lastWarning;
    private int _heldBack;

    private void WarnHandedOff(EpollLoop loop, EpollConnection? blocked, long since)
    {
        if (TakeWarningTurn(out int heldBack))
        {
            LogHandedOff(Logger, loop.Index, Stopwatch.GetElapsedTime(since).TotalMilliseconds,
                blocked?.DescribeWork() ?? "an application continuation", heldBack);
        }
    }

    private void WarnLimitReached(EpollLoop loop, long since)
    {
        if (TakeWarningTurn(out int heldBack))
        {
            LogLimitReached(Logger, loop.Index, Stopwatch.GetElapsedTime(since).TotalMilliseconds, _maxExtraThreads, heldBack);
        }
    }

    private bool TakeWarningTurn(out int heldBack)
    {
        heldBack = _heldBack;
        if (_lastWarning != 0 && Stopwatch.GetElapsedTime(_lastWarning) < s_warningInterval)
        {
            _heldBack++;
            return false;
        }
        _lastWarning = Stopwatch.GetTimestamp();
        _heldBack = 0;
        return true;
    }

    [LoggerMessage(1, LogLevel.Warning,
        "Epoll loop {Loop} was blocked for {BlockedMs:F1} ms by {Work}; another thread took over the loop's other connections. " +
        "Code that blocks (Thread.Sleep, Task.Wait()/.Result, synchronous I/O, lock waits, long CPU work) runs inline on the loop thread: " +
        "make it asynchronous, or set EventCore:Transport:ApplicationScheduling to ThreadPool. ({HeldBack} similar warnings held back.)")]
    private static partial void LogHandedOff(ILogger logger, int loop, double blockedMs, string work, int heldBack);

    [LoggerMessage(2, LogLevel.Warning,
        "Epoll loop {Loop} has been blocked for {BlockedMs:F1} ms, but MaxBlockedLoopThreads ({Max}) threads are already stuck in blocking calls: " +
        "its connections wait until one returns. ({HeldBack} similar warnings held back.)")]
    private static partial void LogLimitReached(ILogger logger, int loop, double blockedMs, int max, int heldBack);
}

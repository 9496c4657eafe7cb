using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll;

/// <summary>
/// A thread that runs epoll loops. It is given a loop (its first at start, or one whose thread blocked) and runs
/// it until the loop stops or is handed away while this thread is stuck in an application callout. In the second
/// case the application eventually returns, the thread finds the loop gone, reports how long it blocked, and goes
/// back to the <see cref="BlockedLoopGuard"/> as a spare, which gives it the next blocked loop or lets it retire.
/// Thread rules: <see cref="Assign"/>, <see cref="Retire"/> and the <see cref="BlockedSince"/> setter are the
/// guard's; the rest runs on this thread.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The semaphore has no wait handle to release; the guard may still signal it while the thread exits.")]
internal sealed class LoopThread
{
    private readonly BlockedLoopGuard _guard;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ulong[] _originalAffinity = new ulong[Interop.CpuSetWords];
    private EpollLoop? _assigned;
    private bool _pinned;
    private int _nativeId;

    public LoopThread(BlockedLoopGuard guard, string name)
    {
        _guard = guard;
        Thread = new Thread(Main) { IsBackground = true, Name = name };
        Thread.Start();
    }

    public Thread Thread { get; }

    /// <summary>The kernel's id of the thread (0 until it runs), for the guard's look at what it is doing.</summary>
    public int NativeId => Volatile.Read(ref _nativeId);

    /// <summary>Gives this thread a loop to own (it was made its owner already). Guard.</summary>
    public void Assign(EpollLoop loop)
    {
        Volatile.Write(ref _assigned, loop);
        _wake.Release();
    }

    /// <summary>Lets a spare exit (the guard is disposed). Guard.</summary>
    public void Retire() => _wake.Release();

    /// <summary>
    /// When the guard first saw this thread's current callout (a Stopwatch timestamp), written by the guard just
    /// before it takes the loop; read by this thread once its callout returns and finds the loop gone.
    /// </summary>
    public long BlockedSince { get; set; }

    /// <summary>This thread's callout returned after its loop was handed off: report how long it blocked. Own thread.</summary>
    public void OnLoopTakenAway(EpollLoop loop) => _guard.OnStuckThreadReturned(loop, BlockedSince);

    private void Main()
    {
        Volatile.Write(ref _nativeId, Interop.GetThreadId());
        try
        {
            while (TakeAssignment() is { } loop)
            {
                Pin(loop);
                loop.Run(this);
                Unpin();
                if (!_guard.ReturnAsSpare(this))
                {
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            _guard.Logger.LogCritical(ex, "An epoll loop thread failed");
        }
    }

    /// <summary>Waits as a spare until given a loop (null: retire).</summary>
    private EpollLoop? TakeAssignment()
    {
        while (!_wake.Wait(_guard.SpareIdleTime))
        {
            if (_guard.TryRetire(this))
            {
                return null;
            }
        }
        return Interlocked.Exchange(ref _assigned, null);
    }

    private void Pin(EpollLoop loop)
    {
        if (loop.PinThread && !_pinned)
        {
            Interop.GetCurrentThreadAffinity(_originalAffinity);
            _pinned = Interop.PinCurrentThreadToCpu(loop.Index % Environment.ProcessorCount) == 0;
            if (!_pinned)
            {
                _guard.Logger.LogWarning("sched_setaffinity failed for loop {Index}: {Errno}", loop.Index, Interop.LastErrno);
            }
        }
    }

    /// <summary>A thread that lost its loop runs where the process may run, not on that loop's CPU.</summary>
    private void Unpin()
    {
        if (_pinned)
        {
            _pinned = false;
            Interop.SetCurrentThreadAffinity(_originalAffinity);
        }
    }
}

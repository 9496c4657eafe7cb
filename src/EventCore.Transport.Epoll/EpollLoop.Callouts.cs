using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll;

/// <summary>
/// Application callouts and the handoff of a loop whose thread is stuck in one.
/// <para>
/// Transport code (dispatching events, the send and receive state machines, listeners) never runs application
/// code: the application's pipe continuations are queued by <see cref="InlineApplicationScheduler"/> and run afterwards
/// as callouts of their own. Only a callout can block, so only a callout is guarded: it makes
/// <see cref="_calloutSequence"/> odd on entry (a plain store: only the owner writes it then) and even again on
/// exit with a compare-exchange. The <see cref="BlockedLoopGuard"/> samples the sequence; an odd value that has
/// not moved for longer than the threshold is a blocked loop, and the guard takes it with its own compare-exchange
/// (odd → next even) and gives it to another thread, which resumes the turn with the next event or work item.
/// The stuck thread's exit exchange then fails: it knows it lost the loop and leaves. Exactly one of the two
/// exchanges succeeds, so no loop state is ever touched by two threads.
/// </para>
/// <para>
/// The stuck thread holds nothing of the transport: it is inside the application, whose pipe operations reach
/// the transport only through the loop's queue. So the new owner keeps serving every connection, the stuck one
/// included — its socket is still read, which a blocking read of the request body (sync-over-async) waits for.
/// </para>
/// </summary>
internal sealed partial class EpollLoop
{
    private BlockedLoopGuard? _guard;

    /// <summary>The thread owning the loop. Changed only by the guard (handoff) or at start.</summary>
    private volatile LoopThread? _owner;

    /// <summary>Odd while the owner is in a callout. Owner writes on entry; exchanges on exit and at handoff.</summary>
    private long _calloutSequence;

    /// <summary>The connection whose transport code runs now (set by its entry points), so continuations it queues name it. Owner only.</summary>
    private EpollConnection? _serving;

    /// <summary>The connection the current callout serves, if known (for the guard's warning).</summary>
    private EpollConnection? _calloutConnection;

    /// <summary>The thread owning the loop (after the loop stopped: the thread that stopped it).</summary>
    internal LoopThread? Owner => _owner;

    /// <summary>True on the thread that owns the loop now.</summary>
    public bool IsOwnedByCurrentThread => _owner?.Thread == Thread.CurrentThread;

    /// <summary>The callout sequence, for the guard's sampling.</summary>
    internal long CalloutSequence => Volatile.Read(ref _calloutSequence);

    /// <summary>Called first by a connection's transport entry points. Owner only.</summary>
    internal void Serving(EpollConnection connection) => _serving = connection;

    /// <summary>
    /// Whether anything but the current callout waits for the loop: events left in the batch, queued work, or
    /// events ready in epoll (polled, not harvested). Guard thread; racy reads are fine for a hint.
    /// </summary>
    internal bool HasOtherWork()
    {
        if (Volatile.Read(ref _nextEvent) < Volatile.Read(ref _eventCount) || !_work.IsEmpty)
        {
            return true;
        }
        bool added = false;
        try
        {
            _epoll.DangerousAddRef(ref added);
            return Interop.IsReadable(_epoll.Fd);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                _epoll.DangerousRelease();
            }
        }
    }

    /// <summary>Connects the loop to its guard (before it starts).</summary>
    internal void AttachGuard(BlockedLoopGuard guard) => _guard = guard;

    /// <summary>
    /// The guard's side of a handoff: takes the loop from the thread stuck in callout <paramref name="sequence"/>
    /// and makes <paramref name="next"/> the owner. Guard thread only.
    /// </summary>
    internal bool TryHandOff(long sequence, LoopThread next, long blockedSince, out EpollConnection? blockedConnection)
    {
        LoopThread stuck = _owner!;
        blockedConnection = Volatile.Read(ref _calloutConnection); // written before the sequence went odd
        stuck.BlockedSince = blockedSince; // read by the stuck thread after its exchange fails
        if (Interlocked.CompareExchange(ref _calloutSequence, sequence + 1, sequence) != sequence)
        {
            return false; // the callout returned meanwhile
        }
        _owner = next;
        return true;
    }

    /// <summary>Runs one application continuation as a guarded callout. False when the loop was handed off during it.</summary>
    private bool Callout(LoopThread thread, WorkItem item)
    {
        long sequence = _calloutSequence + 1;
        _calloutConnection = item.Connection;
        Volatile.Write(ref _calloutSequence, sequence);
        try
        {
            item.Action(item.State);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Unhandled exception in an application continuation on epoll loop {Index}", Index);
        }
        if (Interlocked.CompareExchange(ref _calloutSequence, sequence + 1, sequence) == sequence)
        {
            return true;
        }
        thread.OnLoopTakenAway(this);
        return false;
    }
}

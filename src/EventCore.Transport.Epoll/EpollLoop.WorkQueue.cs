using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll;

/// <summary>The loop's work queue (transport work and the application's continuations) and its coalesced eventfd wake-up.</summary>
internal sealed partial class EpollLoop
{
    /// <summary>Work run per loop turn before polling again, so I/O is not starved by a flood of work.</summary>
    private const int MaxWorkPerTurn = 1024;

    private readonly ConcurrentQueue<WorkItem> _work = new();

    /// <summary>1 while the loop is in, or about to enter, a blocking epoll_wait: only then does a producer write the eventfd.</summary>
    private int _sleeping;

    private volatile bool _stopped;

    /// <summary>True while the loop waits (or is about to wait) in epoll_wait: it cannot be blocked in a callout then.</summary>
    public bool IsWaiting => Volatile.Read(ref _sleeping) == 1;

    /// <summary>Queues transport work (<paramref name="action"/>) to run on the loop. Any thread.</summary>
    public override void Schedule(Action<object?> action, object? state) => Enqueue(new WorkItem(action, state, null, false));

    /// <summary>
    /// Queues an application continuation (a pipe's app-side callback) to run on the loop as a guarded callout.
    /// On the owner it is attributed to the connection whose transport code is running, for the guard's warning.
    /// </summary>
    private void ScheduleApplication(Action<object?> action, object? state)
        => Enqueue(new WorkItem(action, state, IsOwnedByCurrentThread ? Volatile.Read(ref _serving) : null, true));

    private void Enqueue(WorkItem item)
    {
        _work.Enqueue(item);
        if (_stopped)
        {
            // The loop is gone: run what is left here so no continuation is lost.
            RunLeftoverWork();
        }
        else if (Volatile.Read(ref _sleeping) == 1 && Interlocked.Exchange(ref _sleeping, 0) == 1)
        {
            Wake();
        }
    }

    /// <summary>Runs <paramref name="action"/> on the loop thread and completes when it has run. Any thread.</summary>
    public Task InvokeAsync(Action<object?> action, object? state)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Schedule(static s =>
        {
            var (action, state, tcs) = ((Action<object?>, object?, TaskCompletionSource))s!;
            try
            {
                action(state);
                tcs.TrySetResult();
            }
            catch (Exception ex)
            {
                tcs.TrySetException(ex);
            }
        }, (action, state, tcs));
        return tcs.Task;
    }

    /// <summary>Queues <paramref name="action"/> to the loop after <paramref name="delay"/> (rare paths only: allocates).</summary>
    public void ScheduleAfter(TimeSpan delay, Action<object?> action, object? state)
        => _ = Task.Delay(delay).ContinueWith(
            (_, s) => Schedule(action, s), state, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>
    /// Announces the coming epoll_wait; returns its timeout: 0 when work is already queued, else infinite.
    /// The full fence of the exchange pairs with the producer's enqueue-then-read, so a producer either sees
    /// <c>_sleeping == 1</c> and writes the eventfd, or its item is seen here.
    /// </summary>
    private int PrepareToWait()
    {
        Interlocked.Exchange(ref _sleeping, 1);
        if (_work.IsEmpty)
        {
            return -1;
        }
        Volatile.Write(ref _sleeping, 0);
        return 0;
    }

    /// <summary>
    /// Back from epoll_wait. The full fence of the exchange pairs with the guard's parking (it re-reads
    /// <see cref="IsWaiting"/> after announcing it parks), so either the guard sees this loop awake or the loop
    /// sees the guard parked and wakes it.
    /// </summary>
    private void Awake()
    {
        Interlocked.Exchange(ref _sleeping, 0);
        _guard?.OnLoopAwake();
    }

    private void Wake()
    {
        bool added = false;
        try
        {
            // Add a reference so a concurrent Dispose cannot close (and the kernel reuse) the fd mid-write.
            _eventFd.DangerousAddRef(ref added);
            Interop.EventfdWrite(_eventFd.Fd, 1);
        }
        catch (ObjectDisposedException)
        {
            // The loop is gone; nothing to wake.
        }
        finally
        {
            if (added)
            {
                _eventFd.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Runs queued work, at most <see cref="MaxWorkPerTurn"/> items per turn: transport work directly, application
    /// continuations as guarded callouts. False when the loop was handed off during one. Owner only.
    /// </summary>
    private bool RunQueuedWork(LoopThread thread)
    {
        while (_workRun < MaxWorkPerTurn && _work.TryDequeue(out WorkItem item))
        {
            _workRun++;
            if (!item.IsApplication)
            {
                Invoke(static (s, a) => a(s), item.State, item.Action);
            }
            else if (!Callout(thread, item))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>After the loop stopped (no owner any more): runs what is left on the calling thread.</summary>
    private void RunLeftoverWork()
    {
        while (_work.TryDequeue(out WorkItem item))
        {
            try
            {
                item.Action(item.State);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Unhandled exception in work queued to stopped epoll loop {Index}", Index);
            }
        }
    }

    private void MarkStopped()
    {
        _stopped = true;
        RunLeftoverWork();
    }

    /// <summary>One queued item. <see cref="Connection"/> names the connection an application continuation serves, when known.</summary>
    private readonly record struct WorkItem(Action<object?> Action, object? State, EpollConnection? Connection, bool IsApplication);

    /// <summary>
    /// The scheduler of the application's side of the pipes under <see cref="ApplicationScheduling.Inline"/>: the
    /// continuation runs on the loop thread (no thread-pool hop), but as a callout of its own after the transport
    /// code that triggered it has finished, so application code never runs with transport code on the stack.
    /// </summary>
    private sealed class InlineApplicationScheduler(EpollLoop loop) : System.IO.Pipelines.PipeScheduler
    {
        public override void Schedule(Action<object?> action, object? state) => loop.ScheduleApplication(action, state);
    }
}

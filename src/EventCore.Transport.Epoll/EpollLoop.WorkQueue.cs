using System.Collections.Concurrent;

namespace EventCore.Transport.Epoll;

/// <summary>The loop's work queue and its coalesced eventfd wake-up.</summary>
internal sealed partial class EpollLoop
{
    /// <summary>Work run per loop turn before polling again, so I/O is not starved by a flood of work.</summary>
    private const int MaxWorkPerTurn = 1024;

    private readonly ConcurrentQueue<(Action<object?> Action, object? State)> _work = new();

    /// <summary>1 while the loop is in, or about to enter, a blocking epoll_wait: only then does a producer write the eventfd.</summary>
    private int _sleeping;

    private volatile bool _stopped;

    /// <summary>Queues <paramref name="action"/> to run on the loop thread. Any thread.</summary>
    public override void Schedule(Action<object?> action, object? state)
    {
        _work.Enqueue((action, state));
        if (_stopped)
        {
            // The thread is gone: run what is left here so no continuation is lost.
            RunQueuedWork();
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

    private void RunQueuedWork()
    {
        for (int i = 0; i < MaxWorkPerTurn && _work.TryDequeue(out var item); i++)
        {
            Invoke(static (s, a) => a(s), item.State, item.Action);
        }
    }

    private void MarkStopped()
    {
        _stopped = true;
        while (!_work.IsEmpty)
        {
            RunQueuedWork();
        }
    }
}

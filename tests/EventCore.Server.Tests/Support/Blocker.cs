namespace EventCore.Server.Tests.Support;

/// <summary>
/// A blocking call that the test releases: request code blocks in <see cref="Block"/> (the way legacy code
/// blocks) until <see cref="Release"/>; <see cref="WaitEnteredAsync"/> tells the test when requests are stuck in it.
/// </summary>
public sealed class Blocker
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly ManualResetEventSlim _released = new();
    private readonly TaskCompletionSource _releasedTask = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _entered = new(0);
    private volatile bool _spinReleased;

    /// <summary>How the blocked code waits.</summary>
    public enum Kind
    {
        /// <summary>A lock wait (ManualResetEventSlim.Wait), like a contended lock or a blocking queue.</summary>
        LockWait,

        /// <summary>Sync-over-async: Task.Wait() on a task that completes later.</summary>
        SyncOverAsync,

        /// <summary>CPU-heavy synchronous code: a busy loop that never yields.</summary>
        BusyLoop,
    }

    /// <summary>Names of the threads that blocked, in order.</summary>
    public List<string?> BlockedThreadNames { get; } = [];

    /// <summary>Records the calling thread and tells the test that a request reached its blocking call.</summary>
    public void SignalEntered()
    {
        lock (BlockedThreadNames)
        {
            BlockedThreadNames.Add(Thread.CurrentThread.Name);
        }

        _entered.Release();
    }

    /// <summary>Blocks the calling thread until <see cref="Release"/>.</summary>
    public void Block(Kind kind)
    {
        SignalEntered();
        switch (kind)
        {
            case Kind.LockWait:
                _released.Wait();
                break;
            case Kind.SyncOverAsync:
                _releasedTask.Task.Wait();
                break;
            default:
                while (!_spinReleased)
                {
                }

                break;
        }
    }

    /// <summary>Completes when <paramref name="count"/> more calls have entered <see cref="Block"/>.</summary>
    public async Task WaitEnteredAsync(int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(await _entered.WaitAsync(s_timeout), $"only {i} of {count} requests reached the blocking call");
        }
    }

    public void Release()
    {
        _spinReleased = true;
        _releasedTask.TrySetResult();
        _released.Set();
    }
}

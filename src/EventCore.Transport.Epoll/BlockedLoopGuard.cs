using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll;

/// <summary>
/// Keeps a blocking call from freezing an epoll loop, the way Go's sysmon retakes a processor from a thread stuck
/// in a system call. A monitor thread samples each loop's callout sequence (EpollLoop.Callouts.cs); a loop that
/// has been in the same application callout for longer than <see cref="EpollTransportOptions.BlockedLoopThreshold"/>
/// is handed to another thread — a parked spare or a new one — which resumes the loop's turn, while the stuck thread
/// stays in the application until it returns. At most <see cref="EpollTransportOptions.MaxBlockedLoopThreads"/>
/// threads exist beyond one per loop; past that a blocked loop waits for its thread (and says so in the log).
/// When every loop sleeps in epoll_wait the monitor parks until one wakes, so an idle server costs nothing.
/// Thread rules: the monitor thread samples and hands off; loop threads call <see cref="OnLoopAwake"/>; spares
/// and returning stuck threads take <see cref="_lock"/> (never a loop's owner).
/// </summary>
internal sealed partial class BlockedLoopGuard : IDisposable
{
    /// <summary>Consecutive samples with every loop asleep before the monitor parks.</summary>
    private const int IdleSamplesBeforeParking = 64;

    private static readonly TimeSpan s_minSamplePeriod = TimeSpan.FromMicroseconds(100);
    private static readonly TimeSpan s_maxSamplePeriod = TimeSpan.FromMilliseconds(100);

    /// <summary>The sample period while nothing has run long lately.</summary>
    private static readonly TimeSpan s_calmSamplePeriod = TimeSpan.FromMilliseconds(8);

    /// <summary>How long the monitor stays alert (samples every half threshold) after it saw a callout run long.</summary>
    private static readonly TimeSpan s_alertDuration = TimeSpan.FromMilliseconds(100);

    private readonly long _thresholdTicks;
    private readonly TimeSpan _alertPeriod;
    private readonly TimeSpan _calmPeriod;
    private readonly int _alertSamples;
    private readonly int _maxExtraThreads;
    private readonly EpollTransportMetrics _metrics;
    private readonly Lock _lock = new();
    private readonly List<LoopThread> _spares = [];
    private readonly SemaphoreSlim _unpark = new(0);
    private EpollLoop[] _loops = [];
    private Thread? _monitor;
    private int _threads;
    private int _parked;
    private volatile bool _disposed;

    public BlockedLoopGuard(EpollTransportOptions options, EpollTransportMetrics metrics, ILoggerFactory loggerFactory)
    {
        TimeSpan threshold = options.BlockedLoopThreshold;
        _thresholdTicks = (long)(threshold.TotalSeconds * Stopwatch.Frequency);
        _alertPeriod = TimeSpan.FromTicks(Math.Clamp(threshold.Ticks / 2, s_minSamplePeriod.Ticks, s_maxSamplePeriod.Ticks));
        _calmPeriod = TimeSpan.FromTicks(Math.Max(_alertPeriod.Ticks, s_calmSamplePeriod.Ticks));
        _alertSamples = (int)Math.Max(1, s_alertDuration.Ticks / _alertPeriod.Ticks);
        _maxExtraThreads = options.MaxBlockedLoopThreads;
        _metrics = metrics;
        Logger = loggerFactory.CreateLogger<BlockedLoopGuard>();
        _metrics.ObserveExtraLoopThreads(() => ExtraThreads);
    }

    public ILogger Logger { get; }

    /// <summary>How long a spare waits for a blocked loop before it exits.</summary>
    public TimeSpan SpareIdleTime { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Threads beyond one per loop: stuck in a callout or parked as spares; for tests.</summary>
    internal int ExtraThreads => Math.Max(0, Volatile.Read(ref _threads) - _loops.Length);

    /// <summary>Gives every loop its first thread and starts the monitor.</summary>
    public void Start(EpollLoop[] loops)
    {
        _loops = loops;
        _threads = loops.Length;
        foreach (EpollLoop loop in loops)
        {
            loop.AttachGuard(this);
            loop.Start(new LoopThread(this, $"EventCore epoll {loop.Index}"));
        }
        _monitor = new Thread(Monitor) { IsBackground = true, Name = "EventCore loop guard" };
        _monitor.Start();
    }

    /// <summary>A loop came back from epoll_wait: wake the monitor if it parked. Loop thread; cheap when not parked.</summary>
    public void OnLoopAwake()
    {
        if (Volatile.Read(ref _parked) == 1 && Interlocked.Exchange(ref _parked, 0) == 1)
        {
            _unpark.Release();
        }
    }

    /// <summary>A thread whose loop stopped or was handed off offers itself as a spare. False: it should exit.</summary>
    public bool ReturnAsSpare(LoopThread thread)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                _threads--;
                return false;
            }
            _spares.Add(thread);
            return true;
        }
    }

    /// <summary>A spare found no work for <see cref="SpareIdleTime"/>. True: it left the pool and exits.</summary>
    public bool TryRetire(LoopThread thread)
    {
        lock (_lock)
        {
            if (!_spares.Remove(thread))
            {
                return false; // taken meanwhile: its assignment is on the way
            }
            _threads--;
            return true;
        }
    }

    /// <summary>A stuck thread's callout returned after its loop was handed off.</summary>
    public void OnStuckThreadReturned(EpollLoop loop, long blockedSince)
        => _metrics.BlockedLoopReturned(loop.Index, Stopwatch.GetElapsedTime(blockedSince));

    /// <summary>
    /// Stops the monitor and the spares, and waits for them and for the threads that stopped the loops (call it
    /// after the loops are disposed). Threads still stuck in application code exit when it returns.
    /// </summary>
    public void Dispose()
    {
        var exiting = new List<LoopThread>();
        lock (_lock)
        {
            _disposed = true;
            foreach (LoopThread spare in _spares)
            {
                _threads--;
                spare.Retire();
                exiting.Add(spare);
            }
            _spares.Clear();
        }
        _unpark.Release();
        Join(_monitor);
        // A loop's last owner ran it to its end; it is now exiting (it found the guard disposed, or was a spare).
        exiting.AddRange(_loops.Select(l => l.Owner).OfType<LoopThread>());
        foreach (LoopThread thread in exiting.Distinct())
        {
            Join(thread.Thread);
        }
    }

    private static void Join(Thread? thread)
    {
        if (thread is not null && thread != Thread.CurrentThread && thread.ThreadState != System.Threading.ThreadState.Unstarted)
        {
            thread.Join();
        }
    }

    /// <summary>
    /// The monitor's loop. It samples every <see cref="_calmPeriod"/> while nothing runs long — a sample costs a
    /// context switch on a loop's core, so sampling fast all the time would cost a few percent of a busy server — and
    /// every <see cref="_alertPeriod"/> (half the threshold) for a while once it has seen a callout last from one
    /// sample to the next (Go's sysmon also backs off while nothing happens and tightens after a retake). A callout
    /// first seen at a calm sample gets one quick second look. So a blocked loop is handed off between one threshold
    /// and about the calm period plus a threshold after the call began.
    /// </summary>
    private void Monitor()
    {
        var seen = new Watch[_loops.Length];
        int idleSamples = 0;
        int alertSamples = 0;
        while (!_disposed)
        {
            Interop.Sleep(alertSamples > 0 ? _alertPeriod : _calmPeriod);
            long now = Stopwatch.GetTimestamp();
            TimeSpan gcPauses = GC.GetTotalPauseDuration();
            bool idle = true;
            bool sighted = false;
            bool lingering = false;
            for (int i = 0; i < _loops.Length; i++)
            {
                EpollLoop loop = _loops[i];
                long sequence = loop.CalloutSequence;
                if ((sequence & 1) == 0)
                {
                    idle &= loop.IsWaiting;
                    continue;
                }
                idle = false;
                ref Watch watch = ref seen[i];
                if (sequence != watch.Sequence)
                {
                    watch = new Watch(sequence, now, gcPauses);
                    sighted = true;
                    continue;
                }
                lingering = true;
                if (Blocked(now, watch.Since, gcPauses - watch.GcPauses) && loop.HasOtherWork() && IsStuck(loop, ref watch, now))
                {
                    HandOff(loop, sequence, watch.Since);
                }
            }
            alertSamples = lingering ? _alertSamples : alertSamples > 0 ? alertSamples - 1 : sighted ? 1 : 0;
            idleSamples = idle ? idleSamples + 1 : 0;
            if (idleSamples >= IdleSamplesBeforeParking)
            {
                idleSamples = 0;
                Park();
            }
        }
    }

    /// <summary>
    /// Whether a callout first seen at <paramref name="since"/> has blocked for a threshold. Time the runtime spent
    /// stopped for garbage collection does not count: every managed thread stood still then, the monitor too.
    /// </summary>
    private bool Blocked(long now, long since, TimeSpan gcPauses)
        => now - since - (long)(gcPauses.TotalSeconds * Stopwatch.Frequency) >= _thresholdTicks;

    /// <summary>
    /// Whether the thread in a long callout is really stuck: blocked in the kernel (sleeping, waiting on I/O), or
    /// running code that takes at least a quarter of a CPU since the last look. A thread the OS merely preempted
    /// (runnable, hardly any CPU time) keeps its loop: another thread would wait for the same busy CPUs. Read from
    /// /proc only for a callout already past the threshold, so this costs nothing in normal operation.
    /// </summary>
    private static bool IsStuck(EpollLoop loop, ref Watch watch, long now)
    {
        if (loop.Owner is not { NativeId: > 0 } owner || ThreadActivity.Read(owner.NativeId) is not { } activity || activity.IsBlocked)
        {
            return true; // blocked, or unknown: err on the side of the other connections
        }
        long elapsedNs = (long)((now - watch.CheckedAt) * (1e9 / Stopwatch.Frequency));
        bool busy = watch.CheckedAt != 0 && (activity.CpuNanoseconds - watch.CpuAtCheck) * 4 >= elapsedNs;
        watch.CpuAtCheck = activity.CpuNanoseconds;
        watch.CheckedAt = now;
        return busy;
    }

    /// <summary>
    /// Sleeps until a loop wakes. The full fence after announcing it pairs with the loop's exchange in
    /// <c>Awake</c>: either this sees the loop awake, or the loop sees <see cref="_parked"/> and releases us.
    /// </summary>
    private void Park()
    {
        Interlocked.Exchange(ref _parked, 1);
        if (AllLoopsWaiting() && !_disposed)
        {
            _unpark.Wait();
        }
        Volatile.Write(ref _parked, 0);
    }

    private bool AllLoopsWaiting()
    {
        foreach (EpollLoop loop in _loops)
        {
            if (!loop.IsWaiting)
            {
                return false;
            }
        }
        return true;
    }

    private void HandOff(EpollLoop loop, long sequence, long since)
    {
        LoopThread? next = TakeSpare();
        if (next is null)
        {
            WarnLimitReached(loop, since);
            return;
        }
        if (!loop.TryHandOff(sequence, next, since, out EpollConnection? blocked))
        {
            ReturnAsSpare(next);
            return;
        }
        next.Assign(loop);
        _metrics.LoopHandedOff(loop.Index);
        WarnHandedOff(loop, blocked, since);
    }

    /// <summary>What the monitor knows of a loop's current callout: since when, and its thread's CPU time at the last look.</summary>
    private struct Watch(long sequence, long since, TimeSpan gcPauses)
    {
        public readonly long Sequence = sequence;
        public readonly long Since = since;
        public readonly TimeSpan GcPauses = gcPauses;
        public long CpuAtCheck;
        public long CheckedAt;
    }

    /// <summary>A parked spare, or a new thread while under the limit.</summary>
    private LoopThread? TakeSpare()
    {
        lock (_lock)
        {
            if (_spares.Count > 0)
            {
                LoopThread spare = _spares[^1];
                _spares.RemoveAt(_spares.Count - 1);
                return spare;
            }
            if (_disposed || _threads - _loops.Length >= _maxExtraThreads)
            {
                return null;
            }
            _threads++;
        }
        return new LoopThread(this, "EventCore epoll (handoff)");
    }
}

using System.Buffers;
using System.IO.Pipelines;
using EventCore.Transport.Epoll.MemoryPool;
using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll;

/// <summary>
/// One epoll loop: waits in epoll_wait, dispatches readiness to the handlers registered here (listening sockets,
/// connections), then runs the work queued to it. It is the <see cref="PipeScheduler"/> of the transport side of
/// its connections' pipes, so all socket I/O of a connection happens on the thread that owns the loop.
/// The loop is not tied to one thread: it runs on a <see cref="LoopThread"/>, and when that thread blocks in a
/// call out of the loop (application code run inline), the <see cref="BlockedLoopGuard"/> hands the loop to
/// another thread (EpollLoop.Callouts.cs). Everything marked "owner only" is touched by the owning thread alone;
/// other threads use <see cref="Schedule"/>.
/// </summary>
internal sealed partial class EpollLoop : PipeScheduler, IDisposable
{
    private const ulong WakeToken = ulong.MaxValue;
    private const int MaxEvents = 256;

    private readonly SafeFdHandle _epoll;
    private readonly SafeFdHandle _eventFd;
    private readonly EpollRegistry _registry = new();
    private readonly EpollEvent[] _events = new EpollEvent[MaxEvents];
    private readonly ILogger _logger;
    private readonly ManualResetEventSlim _finished = new();
    private volatile bool _stopping;
    private bool _started;
    private int _disposed;
    private long _acceptedCount;

    // The current turn, resumable by a new owner after a handoff (owner only).
    private int _eventCount;
    private int _nextEvent;
    private int _workRun;
    private List<IEpollHandler>? _stoppingHandlers;
    private int _nextStopping;

    public EpollLoop(int index, EpollTransportOptions options, EpollTransportMetrics metrics, ILoggerFactory loggerFactory)
    {
        Index = index;
        Metrics = metrics;
        PinThread = options.PinThreads;
        _logger = loggerFactory.CreateLogger<EpollLoop>();
        ConnectionLogger = loggerFactory.CreateLogger<EpollConnection>();
        Persistent = options.ArmingMode == ArmingMode.Persistent;
        MaxSocketUnsentBytes = options.MaxSocketUnsentBytes ?? 0;
        _epoll = new SafeFdHandle(ThrowIfFailed(Interop.EpollCreate1(Interop.EpollCloexec), "epoll_create1"));
        _eventFd = new SafeFdHandle(ThrowIfFailed(Interop.Eventfd(0, Interop.EfdNonblock | Interop.EfdCloexec), "eventfd"));
        ThrowIfFailed(Interop.EpollCtl(_epoll.Fd, EpollOperation.Add, _eventFd.Fd, EpollEvents.In, WakeToken), "epoll_ctl");
        ApplicationScheduler = options.ApplicationScheduling == ApplicationScheduling.Inline ? new InlineApplicationScheduler(this) : ThreadPool;
        InputPipeOptions = CreatePipeOptions(MemoryPool, ApplicationScheduler, this, options.MaxReadBufferSize);
        OutputPipeOptions = CreatePipeOptions(MemoryPool, this, ApplicationScheduler, options.MaxWriteBufferSize);
    }

    public int Index { get; }

    public EpollTransportMetrics Metrics { get; }

    public ILogger ConnectionLogger { get; }

    public bool Persistent { get; }

    /// <summary>TCP_NOTSENT_LOWAT of accepted sockets (<see cref="EpollTransportOptions.MaxSocketUnsentBytes"/>); 0: the kernel's default.</summary>
    public int MaxSocketUnsentBytes { get; }

    /// <summary>Whether the owning thread pins itself to CPU <c>Index</c> (<see cref="EpollTransportOptions.PinThreads"/>).</summary>
    public bool PinThread { get; }

    /// <summary>The loop's pool of pinned 4 KB blocks, backing its connections' pipes.</summary>
    public PinnedBlockMemoryPool MemoryPool { get; } = new();

    /// <summary>Where the application's side of this loop's connections resumes (<see cref="ApplicationScheduling"/>).</summary>
    public PipeScheduler ApplicationScheduler { get; }

    /// <summary>Input pipe: written by this loop, read by the application.</summary>
    public PipeOptions InputPipeOptions { get; }

    /// <summary>Output pipe: written by the application, read by this loop.</summary>
    public PipeOptions OutputPipeOptions { get; }

    /// <summary>Scratch pin handles for writev. Owner only.</summary>
    public MemoryHandle[] WritePins { get; } = new MemoryHandle[Interop.MaxIoVectors];

    /// <summary>Connections (and listeners) registered with this loop; for tests.</summary>
    internal int HandlerCount { get; private set; }

    /// <summary>Connections accepted by this loop so far; for tests.</summary>
    internal long AcceptedCount => Interlocked.Read(ref _acceptedCount);

    /// <summary>Counts an accepted connection. Owner only.</summary>
    public void CountAccepted()
    {
        Interlocked.Increment(ref _acceptedCount);
        Metrics.ConnectionAccepted();
    }

    /// <summary>Gives the loop its first thread. Called once, by the guard.</summary>
    public void Start(LoopThread thread)
    {
        _started = true;
        _owner = thread;
        thread.Assign(this);
    }

    /// <summary>Adds <paramref name="fd"/> to the epoll set. Owner only.</summary>
    public bool TryRegister(int fd, EpollEvents events, IEpollHandler handler, out ulong token)
    {
        token = 0;
        if (_stopped)
        {
            return false;
        }
        token = _registry.Add(handler);
        if (Interop.EpollCtl(_epoll.Fd, EpollOperation.Add, fd, events, token) == 0)
        {
            HandlerCount = _registry.Count;
            return true;
        }
        _logger.LogError("epoll_ctl(ADD) failed: {Errno}", Interop.LastErrno);
        _registry.Remove(token);
        return false;
    }

    /// <summary>Re-arms <paramref name="fd"/> with <paramref name="events"/>. Owner only.</summary>
    public bool TryModify(int fd, ulong token, EpollEvents events)
        => !_stopped && Interop.EpollCtl(_epoll.Fd, EpollOperation.Modify, fd, events, token) == 0;

    /// <summary>Removes <paramref name="fd"/> from the epoll set (before it is closed). Owner only.</summary>
    public void Unregister(int fd, ulong token)
    {
        if (_stopped)
        {
            return; // the epoll fd is closed (its number may be reused): never touch it
        }
        Interop.EpollCtl(_epoll.Fd, EpollOperation.Delete, fd, EpollEvents.None, 0);
        _registry.Remove(token);
        HandlerCount = _registry.Count;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stopping = true;
        Wake();
        if (_started && !IsOwnedByCurrentThread)
        {
            _finished.Wait();
        }
        MarkStopped();
        _eventFd.Dispose();
        _epoll.Dispose();
        MemoryPool.Dispose();
    }

    /// <summary>
    /// Runs the loop on the calling thread until it has stopped (true) or was handed to another thread while
    /// this one was blocked in a callout (false: the caller must not touch the loop again).
    /// </summary>
    public bool Run(LoopThread thread)
    {
        while (true)
        {
            if (!FinishTurn(thread))
            {
                return false;
            }
            if (_stopping)
            {
                return FinishStopping(thread);
            }
            if (!WaitForEvents())
            {
                _stopping = true;
            }
        }
    }

    /// <summary>epoll_wait, announced to producers (<see cref="Schedule"/>) and to the guard. False when it failed.</summary>
    private bool WaitForEvents()
    {
        int timeout = PrepareToWait();
        int count = Interop.EpollWait(_epoll.Fd, _events, timeout);
        Awake();
        if (count < 0)
        {
            _logger.LogCritical("epoll_wait failed: {Errno}; loop {Index} stops", Interop.LastErrno, Index);
            return false;
        }
        _eventCount = count;
        _nextEvent = 0;
        _workRun = 0;
        return true;
    }

    /// <summary>
    /// Dispatches what is left of the harvested events (transport code: it queues the application's continuations
    /// rather than running them), then the queued work. False when handed off.
    /// </summary>
    private bool FinishTurn(LoopThread thread)
    {
        while (_nextEvent < _eventCount)
        {
            EpollEvent ev = _events[_nextEvent++];
            if (ev.Data == WakeToken)
            {
                Interop.EventfdRead(_eventFd.Fd, out _);
            }
            else if (_registry.TryGet(ev.Data, out IEpollHandler handler))
            {
                Invoke(static (s, e) => ((IEpollHandler)s!).OnEvents(e), handler, ev.Events);
            }
        }
        return RunQueuedWork(thread);
    }

    /// <summary>Aborts every connection and closes every listening socket of this loop, then signals the end. False when handed off.</summary>
    private bool FinishStopping(LoopThread thread)
    {
        _stoppingHandlers ??= _registry.Snapshot();
        while (_nextStopping < _stoppingHandlers.Count)
        {
            IEpollHandler handler = _stoppingHandlers[_nextStopping++];
            Invoke(static (s, _) => ((IEpollHandler)s!).OnLoopStopping(), handler, 0);
        }
        if (!RunQueuedWork(thread))
        {
            return false;
        }
        _finished.Set();
        return true;
    }

    /// <summary>Runs transport code (never the application's: see EpollLoop.Callouts.cs). Owner only.</summary>
    private void Invoke<TArg>(Action<object?, TArg> action, object? state, TArg arg)
    {
        try
        {
            action(state, arg);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Unhandled exception on epoll loop {Index}", Index);
        }
    }

    private static int ThrowIfFailed(int result, string call)
        => result >= 0 ? result : throw new IOException($"{call} failed: {Interop.LastErrno}");

    private static PipeOptions CreatePipeOptions(MemoryPool<byte> pool, PipeScheduler reader, PipeScheduler writer, long? pauseThreshold)
    {
        long pause = pauseThreshold ?? 0;
        return new PipeOptions(
            pool,
            readerScheduler: reader,
            writerScheduler: writer,
            pauseWriterThreshold: pause,
            resumeWriterThreshold: pause / 2,
            minimumSegmentSize: PinnedBlockMemoryPool.BlockSize,
            useSynchronizationContext: false);
    }
}

using System.Buffers;
using System.IO.Pipelines;
using EventCore.Transport.Epoll.MemoryPool;
using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll;

/// <summary>
/// One epoll loop: a dedicated thread that waits in epoll_wait, dispatches readiness to the handlers registered
/// here (listening sockets, connections), then runs the work queued to it. It is the <see cref="PipeScheduler"/>
/// of the transport side of its connections' pipes, so all socket I/O of a connection happens on this thread.
/// Everything marked "loop thread only" must not be touched from elsewhere; other threads use <see cref="Schedule"/>.
/// </summary>
internal sealed partial class EpollLoop : PipeScheduler, IDisposable
{
    private const ulong WakeToken = ulong.MaxValue;
    private const int MaxEvents = 256;

    private readonly SafeFdHandle _epoll;
    private readonly SafeFdHandle _eventFd;
    private readonly Thread _thread;
    private readonly EpollRegistry _registry = new();
    private readonly EpollEvent[] _events = new EpollEvent[MaxEvents];
    private readonly ILogger _logger;
    private readonly bool _pinThread;
    private volatile bool _stopping;
    private int _disposed;
    private long _acceptedCount;

    public EpollLoop(int index, EpollTransportOptions options, EpollTransportMetrics metrics, ILoggerFactory loggerFactory)
    {
        Index = index;
        Metrics = metrics;
        _pinThread = options.PinThreads;
        _logger = loggerFactory.CreateLogger<EpollLoop>();
        ConnectionLogger = loggerFactory.CreateLogger<EpollConnection>();
        Persistent = options.ArmingMode == ArmingMode.Persistent;
        _epoll = new SafeFdHandle(ThrowIfFailed(Interop.EpollCreate1(Interop.EpollCloexec), "epoll_create1"));
        _eventFd = new SafeFdHandle(ThrowIfFailed(Interop.Eventfd(0, Interop.EfdNonblock | Interop.EfdCloexec), "eventfd"));
        ThrowIfFailed(Interop.EpollCtl(_epoll.Fd, EpollOperation.Add, _eventFd.Fd, EpollEvents.In, WakeToken), "epoll_ctl");
        PipeScheduler appScheduler = options.ApplicationScheduling == ApplicationScheduling.Inline ? Inline : ThreadPool;
        InputPipeOptions = CreatePipeOptions(MemoryPool, appScheduler, this, options.MaxReadBufferSize);
        OutputPipeOptions = CreatePipeOptions(MemoryPool, this, appScheduler, options.MaxWriteBufferSize);
        _thread = new Thread(Run) { IsBackground = true, Name = $"EventCore epoll {index}" };
    }

    public int Index { get; }

    public EpollTransportMetrics Metrics { get; }

    public ILogger ConnectionLogger { get; }

    public bool Persistent { get; }

    /// <summary>The loop's pool of pinned 4 KB blocks, backing its connections' pipes.</summary>
    public PinnedBlockMemoryPool MemoryPool { get; } = new();

    /// <summary>Input pipe: written by this loop, read by the application.</summary>
    public PipeOptions InputPipeOptions { get; }

    /// <summary>Output pipe: written by the application, read by this loop.</summary>
    public PipeOptions OutputPipeOptions { get; }

    /// <summary>Scratch pin handles for writev. Loop thread only.</summary>
    public MemoryHandle[] WritePins { get; } = new MemoryHandle[Interop.MaxIoVectors];

    /// <summary>Connections (and listeners) registered with this loop; for tests.</summary>
    internal int HandlerCount { get; private set; }

    /// <summary>Connections accepted by this loop so far; for tests.</summary>
    internal long AcceptedCount => Interlocked.Read(ref _acceptedCount);

    public bool IsLoopThread => Thread.CurrentThread == _thread;

    /// <summary>Counts an accepted connection. Loop thread only.</summary>
    public void CountAccepted()
    {
        Interlocked.Increment(ref _acceptedCount);
        Metrics.ConnectionAccepted();
    }

    public void Start() => _thread.Start();

    /// <summary>Adds <paramref name="fd"/> to the epoll set. Loop thread only.</summary>
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

    /// <summary>Re-arms <paramref name="fd"/> with <paramref name="events"/>. Loop thread only.</summary>
    public bool TryModify(int fd, ulong token, EpollEvents events)
        => !_stopped && Interop.EpollCtl(_epoll.Fd, EpollOperation.Modify, fd, events, token) == 0;

    /// <summary>Removes <paramref name="fd"/> from the epoll set (before it is closed). Loop thread only.</summary>
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
        if (!IsLoopThread && _thread.ThreadState != ThreadState.Unstarted)
        {
            _thread.Join();
        }
        MarkStopped();
        _eventFd.Dispose();
        _epoll.Dispose();
        MemoryPool.Dispose();
    }

    private void Run()
    {
        if (_pinThread && Interop.PinCurrentThreadToCpu(Index % Environment.ProcessorCount) != 0)
        {
            _logger.LogWarning("sched_setaffinity failed for loop {Index}: {Errno}", Index, Interop.LastErrno);
        }
        while (!_stopping)
        {
            int timeout = PrepareToWait();
            int count = Interop.EpollWait(_epoll.Fd, _events, timeout);
            Volatile.Write(ref _sleeping, 0);
            if (count < 0)
            {
                _logger.LogCritical("epoll_wait failed: {Errno}; loop {Index} stops", Interop.LastErrno, Index);
                break;
            }
            Dispatch(count);
            RunQueuedWork();
        }
        StopHandlers();
    }

    private void Dispatch(int count)
    {
        for (int i = 0; i < count; i++)
        {
            EpollEvent ev = _events[i];
            if (ev.Data == WakeToken)
            {
                Interop.EventfdRead(_eventFd.Fd, out _);
            }
            else if (_registry.TryGet(ev.Data, out IEpollHandler handler))
            {
                Invoke(static (s, e) => ((IEpollHandler)s!).OnEvents(e), handler, ev.Events);
            }
        }
    }

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

    /// <summary>Aborts every connection and closes every listening socket of this loop. Loop thread only.</summary>
    private void StopHandlers()
    {
        foreach (IEpollHandler handler in _registry.Snapshot())
        {
            Invoke(static (s, _) => ((IEpollHandler)s!).OnLoopStopping(), handler, 0);
        }
        RunQueuedWork();
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

using System.IO.Pipelines;
using System.Threading.Tasks.Sources;

namespace EventCore.Transport.Epoll;

/// <summary>
/// Parking: how an idle keep-alive connection gives its pipes back to the loop. The layer above (EventCore.Server),
/// having read every byte and flushed every response, awaits <see cref="ParkAsync"/> instead of a pipe read and
/// promises not to touch the pipes until it completes. The loop then owns both pipes. A parked connection keeps
/// them (waking costs nothing more than a read would) until the layer above asks for them back with
/// <see cref="ReleaseIdlePipes"/> (EventCore.Server does after a heartbeat of idleness, or at once when it parks after
/// its first request), which the loop honours once the park's awaiter is registered: then both pipes are completed,
/// reset and returned to the loop's pool, and the park's await is abandoned: its continuation is dropped, so the state
/// machine that awaited it is garbage, and that park never completes. The idle connection is then its socket and a
/// few fields. Readiness, an abort, the loop stopping or <see cref="CancelIdleWait"/> wakes it: pipes are
/// rented again if they were released, the socket is read, and on the application's scheduler (where a read's
/// continuation would run) the park completes — or, if it was released, <see cref="IParkOwner.ResumeAfterRelease"/>
/// is called instead — so the layer above reads the pipes afresh (<c>ConnectionContext.Transport</c>). Only a
/// connection with a <see cref="ParkOwner"/> gives its pipes back (the layer above must be able to start again
/// without its awaiter).
/// Thread rules: <see cref="ParkAsync"/> from the request thread (one park at a time), <see cref="ReleaseIdlePipes"/>
/// and <see cref="CancelIdleWait"/> from any thread; they only queue work, and all park state is the loop's.
/// <see cref="ParkOwner"/> is set once, before the first park.
/// </summary>
internal sealed partial class EpollConnection : IValueTaskSource
{
    private static readonly Action<object?> s_park = static s => ((EpollConnection)s!).OnParkRequested();
    private static readonly Action<object?> s_release = static s => ((EpollConnection)s!).OnReleaseRequested();
    private static readonly Action<object?> s_cancelIdleWait = static s => ((EpollConnection)s!).OnCancelIdleWait();
    private static readonly Action<object?> s_resume = static s => ((EpollConnection)s!).CompletePark();
    private static readonly Action<object?> s_parkCompleted = static _ => { };

    /// <summary>The park's continuation once the pipes were released: the awaiter was dropped; waking calls the owner.</summary>
    private static readonly Action<object?> s_parkReleased = static _ => { };

    /// <summary>Where the park stands (loop thread only).</summary>
    private ParkState _parkState;

    /// <summary>A <see cref="CancelIdleWait"/> came while nothing was parked: the next park returns at once (loop only).</summary>
    private bool _idleWaitCanceled;

    /// <summary>The park asks for its pipes' release once its awaiter is registered (request thread only).</summary>
    private bool _releaseOnceAwaited;

    /// <summary>
    /// 1: a release was asked for while the park was not awaited yet, so its awaiter asks again once registered.
    /// Set by the loop (<see cref="OnReleaseRequested"/>), cleared by it when the park ends, read by the request
    /// thread after registering; each side writes with a full fence and then reads the other's write, so at least
    /// one of them sees the other and the release is not lost.
    /// </summary>
    private int _releaseWhenAwaited;

    // The park's awaiter: its continuation (s_parkCompleted once completed), the continuation's state, the version.
    private Action<object?>? _parkContinuation;
    private object? _parkContinuationState;
    private short _parkVersion;

    private enum ParkState : byte
    {
        /// <summary>Not parked: the layer above reads the pipes.</summary>
        None,

        /// <summary>Parked with its pipes.</summary>
        Parked,

        /// <summary>Parked; the send side's pending read is being canceled to release the pipes.</summary>
        Releasing,

        /// <summary>Parked without pipes: they are back in the loop's pool.</summary>
        Released,
    }

    /// <summary>
    /// The layer above, started again by a call when a park whose pipes were released wakes (its await was
    /// abandoned). Without one, a parked connection keeps its pipes. Set once, before the first park.
    /// </summary>
    internal IParkOwner? ParkOwner
    {
        get => WorkDescriber as IParkOwner;
        set => WorkDescriber = value;
    }

    /// <summary>Whether the pipes are back in the loop's pool (for tests). Racy outside the loop.</summary>
    internal bool PipesReleased => _parkState == ParkState.Released;

    /// <summary>The connection's loop (for tests: what they queue after a request to it runs after that request).</summary>
    internal EpollLoop Loop => _loop;

    /// <summary>
    /// Parks the connection until bytes, a FIN, an abort or <see cref="CancelIdleWait"/> arrive. The caller has
    /// consumed all input and flushed its output, and does not touch the pipes until this completes; after it, the
    /// pipes may be other objects: read them again from <see cref="Transport"/>. With
    /// <paramref name="releasePipesOnceAwaited"/> the pipes are asked back (<see cref="ReleaseIdlePipes"/>) as soon as
    /// the park is awaited, not a heartbeat later. Request thread; allocates nothing.
    /// </summary>
    internal ValueTask ParkAsync(bool releasePipesOnceAwaited = false)
    {
        _parkContinuation = null;
        _parkContinuationState = null;
        _releaseOnceAwaited = releasePipesOnceAwaited;
        short version = ++_parkVersion;
        _loop.Schedule(s_park, this); // the queue's hand-off orders the writes above before the loop's completion
        return new ValueTask(this, version);
    }

    /// <summary>Asks the loop to release a parked connection's pipes (nothing happens if it is no longer parked). Any thread.</summary>
    internal void ReleaseIdlePipes() => _loop.Schedule(s_release, this);

    /// <summary>
    /// Ends the layer above's idle wait, whichever it is: a park completes; a pending read of the input is canceled.
    /// A request thread that is about to park finds its park completed at once. Any thread.
    /// </summary>
    internal void CancelIdleWait() => _loop.Schedule(s_cancelIdleWait, this);

    private void OnParkRequested()
    {
        _loop.Serving(this);
        if (_idleWaitCanceled || _closed || _receiveDone || _sendDone || InputPending())
        {
            _idleWaitCanceled = false;
            ResumeParked();
            return;
        }
        _parkState = ParkState.Parked;
        if (Volatile.Read(ref _releaseWhenAwaited) == 1 && Volatile.Read(ref _parkContinuation) is not null)
        {
            ReleaseIdlePipes(); // asked before the park came, which its awaiter saw registered (else it asks itself)
        }
    }

    /// <summary>Whether the input holds anything the layer above must see (bytes, its end, a canceled read). Loop, while the reader is parked.</summary>
    private bool InputPending()
    {
        if (!_input.Reader.TryRead(out ReadResult result))
        {
            return false;
        }
        _input.Reader.AdvanceTo(result.Buffer.Start); // consumes and examines nothing: the reader sees it all again
        return !result.Buffer.IsEmpty || result.IsCompleted || result.IsCanceled;
    }

    private void OnCancelIdleWait()
    {
        _loop.Serving(this);
        if (_parkState != ParkState.None)
        {
            WakeFromPark();
            ResumeParked();
        }
        else if (!_closed)
        {
            _idleWaitCanceled = true;
            _input.Reader.CancelPendingRead(); // an idle wait that reads instead of parking (or is about to)
        }
    }

    /// <summary>
    /// Starts releasing: the send side's pending read is canceled; <see cref="OnReadCompleted"/> finishes. Only once the
    /// park's awaiter is registered: the layer above has then stopped at its await for good. Before that, a release
    /// and a wake could start a new serve loop (<see cref="IParkOwner.ResumeAfterRelease"/>) and a new park while the
    /// old loop was still about to await the old one, whose token would then be stale. An ask that comes before the
    /// await is kept and made again by the awaiter (<see cref="IsParkAwaited"/>).
    /// </summary>
    private void OnReleaseRequested()
    {
        _loop.Serving(this);
        if (ParkOwner is null || !IsParkAwaited() || _parkState != ParkState.Parked
            || !_readPending || _wantWrite || _flushPending || _sendFile is not null)
        {
            return; // not parked or not awaited yet (kept for its awaiter), woken meanwhile, or the send side is busy
        }
        _releaseWhenAwaited = 0;
        _parkState = ParkState.Releasing;
        _output.Reader.CancelPendingRead();
    }

    /// <summary>
    /// Whether the connection is parked and the park's awaiter registered. If not yet, the ask is kept for the park
    /// (<see cref="_releaseWhenAwaited"/>): an ask that came early — the heartbeat's, while the request thread was
    /// on its way to the park or its await — is not lost, and the pipes go back once the park is awaited. Bytes that
    /// arrive before that make the ask stale (<see cref="ReceiveAndFlush"/> drops it). Loop only.
    /// </summary>
    private bool IsParkAwaited()
    {
        if (_parkState != ParkState.None && Volatile.Read(ref _parkContinuation) is not null)
        {
            return true;
        }
        Interlocked.Exchange(ref _releaseWhenAwaited, 1);
        // Registered meanwhile: its awaiter may have missed the flag. (Not parked yet: OnParkRequested checks it.)
        return _parkState != ParkState.None && Volatile.Read(ref _parkContinuation) is not null;
    }

    /// <summary>
    /// The send side's read came back while releasing: if it holds nothing (it was canceled), both pipes go back to
    /// the loop; true then. False: the caller sends what it holds, parked with its pipes. Loop only.
    /// </summary>
    private bool TryFinishRelease(in ReadResult result)
    {
        _parkState = ParkState.Parked;
        if (!result.Buffer.IsEmpty || result.IsCompleted)
        {
            return false;
        }
        _output.Reader.AdvanceTo(result.Buffer.Start);
        // Every end of both pipes is completed (the layer above promised not to touch them while parked, and any
        // input wakes the park before it is read), so the loop can reset them for any of its connections.
        _input.Writer.Complete();
        _input.Reader.Complete();
        _output.Writer.Complete();
        _output.Reader.Complete();
        _loop.ReturnPipes(_input, _output);
        _input = null!;
        _output = null!;
        _onReadCompleted = null; // no continuation is pending: the delegates go too, and come back on waking
        _onFlushCompleted = null;
        ForgetDerivedState(); // the peer's endpoint and the id string are made again if asked for
        _parkState = ParkState.Released;
        // The park's awaiter is dropped: the layer above's state machine waiting on it becomes garbage, and waking
        // calls the owner instead (CompletePark). It was registered (OnReleaseRequested waits for that).
        _parkContinuationState = null;
        Interlocked.Exchange(ref _parkContinuation, s_parkReleased);
        return true;
    }

    /// <summary>Ends the park (loop only); pipes are rented again if they were released. The caller then resumes the layer above.</summary>
    private bool WakeFromPark()
    {
        if (_parkState == ParkState.None)
        {
            return false;
        }
        _releaseWhenAwaited = 0; // written before the resume is queued, so the next park's awaiter sees it cleared
        if (_parkState == ParkState.Released)
        {
            (_input, _output) = _loop.RentPipes();
            _parkState = ParkState.None;
            ReadOutput(); // the send side waits on the new output pipe
            return true;
        }
        _parkState = ParkState.None; // Releasing: the canceled read comes back to a send side that simply reads again
        return true;
    }

    /// <summary>Completes the park on the application's scheduler, where a read's continuation would run. Loop only.</summary>
    private void ResumeParked() => _loop.ApplicationScheduler.Schedule(s_resume, this);

    private void CompletePark()
    {
        Action<object?>? continuation = Interlocked.Exchange(ref _parkContinuation, s_parkCompleted);
        if (ReferenceEquals(continuation, s_parkReleased))
        {
            ParkOwner!.ResumeAfterRelease(); // the awaiter was abandoned when the pipes went back
        }
        else if (continuation is not null)
        {
            continuation(_parkContinuationState);
        }
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token)
    {
        ValidateParkToken(token);
        return ReferenceEquals(Volatile.Read(ref _parkContinuation), s_parkCompleted) ? ValueTaskSourceStatus.Succeeded : ValueTaskSourceStatus.Pending; // released: pending for good
    }

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        ValidateParkToken(token);
        if ((flags & ValueTaskSourceOnCompletedFlags.FlowExecutionContext) != 0)
        {
            FlowExecutionContext(ref continuation, ref state); // rare: await uses UnsafeOnCompleted
        }
        _parkContinuationState = state;
        Action<object?>? previous = Interlocked.CompareExchange(ref _parkContinuation, continuation, null);
        if (ReferenceEquals(previous, s_parkCompleted))
        {
            continuation(state); // completed meanwhile
        }
        else if (_releaseOnceAwaited || Volatile.Read(ref _releaseWhenAwaited) == 1) // read after the full fence of the exchange
        {
            _releaseOnceAwaited = false;
            ReleaseIdlePipes(); // the awaiter is registered: the loop may release now (OnReleaseRequested)
        }
    }

    void IValueTaskSource.GetResult(short token) => ValidateParkToken(token);

    /// <summary>Wraps the continuation to run in the awaiter's execution context (apart, so the common path makes no closure).</summary>
    private static void FlowExecutionContext(ref Action<object?> continuation, ref object? state)
    {
        if (ExecutionContext.Capture() is not { } context)
        {
            return;
        }
        (Action<object?> inner, object? innerState) = (continuation, state);
        continuation = _ => ExecutionContext.Run(context, s => inner(s!), innerState);
        state = null;
    }

    private void ValidateParkToken(short token)
    {
        if (token != _parkVersion)
        {
            throw new InvalidOperationException("The park's ValueTask was awaited after it completed, or twice.");
        }
    }
}

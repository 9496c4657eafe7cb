using EventCore.Server.Infrastructure;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EventCore.Server.Http1;

internal enum DeadlineKind : long
{
    None = 0,
    KeepAlive = 1,
    RequestHeaders = 2,
    Drain = 3,
}

/// <summary>
/// Timeouts and minimum data rates: the connection owns every clock the heartbeat checks, so the heartbeat never
/// touches an exchange (which may be back in the pool). The request thread writes one packed deadline (kind in the
/// top byte, <see cref="Heartbeat.Now"/> ms below) with a single volatile store, and the body and response rate
/// state with volatile stores; the heartbeat thread reads them. Acting on a timeout from the heartbeat only sets a
/// flag and cancels the pending read (both thread-safe), or aborts the transport.
/// The heartbeat does not visit every connection (<see cref="ConnectionTimers"/>): an idle one is filed in the timer
/// wheel by its next time of interest (<see cref="OnIdleTimer"/>: pipe release, then keep-alive), and one with a
/// request-time clock running joins the active list (<see cref="OnHeartbeat"/>, every tick) — through
/// <see cref="WatchIdle"/> (a field read when the connection is filed in time) and <see cref="WatchActive"/> (one
/// compare-exchange, only when a clock starts).
/// </summary>
internal abstract partial class Http1Connection
{
    private const int KindShift = 56;
    private const long TimeMask = (1L << KindShift) - 1;

    /// <summary>How long a parked connection keeps its pipes before the heartbeat has the loop take them back (after its first request it asks at once).</summary>
    private const long ReleaseIdlePipesAfterMs = 1000;

    private ResponseDataRateTimer _responseRate;
    private long _deadline;

    /// <summary>When the current idle wait began (<see cref="Heartbeat.Now"/>); written by the request thread.</summary>
    private long _idleSince;

    /// <summary>
    /// The idle wait whose pipes were last asked back, named by the number of requests served before it (times are
    /// too coarse: two waits can begin in one clock tick); -1 for none. Written by the heartbeat, or by the request
    /// thread before it publishes an idle wait that asks at once (<see cref="BeginIdleWait"/>). A wait begun again
    /// with no request between (a canceled park) is not asked for twice: it keeps its pipes until the next request.
    /// </summary>
    private long _releaseAskedFor = -1;
    private volatile bool _headersTimedOut;

    /// <summary>Set once the connection has left the server's registry (request thread): the timers forget it.</summary>
    private volatile bool _timerClosed;

    private TimerEntry _timer;
    private volatile bool _bodyTimedOut;

    private RequestBodyRateTimer _bodyRate;

    /// <summary>The response's flush timing (MinResponseDataRate), read by the heartbeat.</summary>
    internal ref ResponseDataRateTimer ResponseRate => ref _responseRate;

    internal bool BodyTimedOut => _bodyTimedOut;

    /// <summary>This connection's place in the server's timers (see <see cref="ConnectionTimers"/>).</summary>
    internal ref TimerEntry Timer => ref _timer;

    /// <summary>
    /// Whether a request-time clock runs (any thread): a head or drain deadline, a body read or a response flush
    /// waiting. While one does, the heartbeat visits the connection every tick.
    /// </summary>
    internal bool HasActiveClock
    {
        get
        {
            if (_timerClosed)
            {
                return false;
            }

            var deadline = Volatile.Read(ref _deadline);
            return (deadline != 0 && (DeadlineKind)(deadline >> KindShift) != DeadlineKind.KeepAlive)
                || _bodyRate.IsWaiting || _responseRate.IsWriting;
        }
    }

    /// <summary>
    /// Request thread. A keep-alive deadline is watched by the idle wheel (<see cref="WatchIdle"/>); a drain deadline
    /// puts the connection on the active list; a request-headers deadline is set on every request and cleared when the
    /// head is whole, so it joins the active list only when the head arrives in pieces (<see cref="WatchHeadersDeadline"/>).
    /// </summary>
    internal void SetDeadline(DeadlineKind kind, TimeSpan timeout)
    {
        var at = Heartbeat.Now + Heartbeat.ClockLagMs + (long)Math.Min(timeout.TotalMilliseconds, TimeMask / 2);
        Volatile.Write(ref _deadline, ((long)kind << KindShift) | at);
        if (kind == DeadlineKind.Drain)
        {
            WatchActive();
        }
    }

    internal void ClearDeadline() => Volatile.Write(ref _deadline, 0);

    /// <summary>Request thread: a head is arriving in pieces, so its RequestHeadersTimeout clock must be watched.</summary>
    private void WatchHeadersDeadline() => WatchActive();

    /// <summary>Request thread: a request-time clock started; the heartbeat visits the connection every tick until it stops.</summary>
    private void WatchActive() => _service.Connections.Timers.WatchActive(this);

    /// <summary>
    /// Request thread, when an idle wait began (its state written, then a full fence): the wheel files the connection
    /// for its pipe release, or its keep-alive deadline. Nothing to do when it is filed in time already, as it is on a
    /// busy keep-alive connection after its first idle wait (the tick refiles it later when it comes).
    /// </summary>
    private void WatchIdle()
    {
        var interest = _parkable is not null && _requestNumber != _releaseAskedFor
            ? Volatile.Read(ref _idleSince) + ReleaseIdlePipesAfterMs
            : Volatile.Read(ref _deadline) & TimeMask;
        _service.Connections.Timers.WatchIdle(this, interest);
    }

    /// <summary>
    /// Whether this idle wait gives the pipes back as it parks rather than a heartbeat later: the connection's first
    /// idle wait after it served requests (one, or a pipelined first batch), when no release was asked for since
    /// (<see cref="_releaseAskedFor"/> is -1, or 0 when the heartbeat released it before its first request). The loop
    /// takes the pipes back as soon as the park is awaited (<c>EpollConnection.ParkAsync(releasePipesOnceAwaited)</c>).
    /// A connection that has served its first requests and gone quiet is the common idle keep-alive connection, and a
    /// burst of them would otherwise hold every new connection's pipes (a few KB of heap each) for a second, a peak
    /// the GC then keeps committed. A busy connection pays this once in its life (its next request rents pipes from
    /// the loop's spares), and keeps them across later parks; if the next request came already, the loop finds it no
    /// longer parked. The wait before the first request never releases at once: its request is usually on its way.
    /// </summary>
    private bool ReleasesAtOnce => _parkable is not null && _requestNumber > 0 && _releaseAskedFor <= 0;

    /// <summary>Request thread, when the connection left the server's registry: the wheel lets it go at the next tick.</summary>
    internal void OnRemoved()
    {
        _timerClosed = true;
        Interlocked.MemoryBarrier(); // pairs with the tick's fence after filing: one of us sees the other
        if (Volatile.Read(ref _timer.Due) != 0)
        {
            _service.Connections.Timers.WatchIdle(this, 0);
        }
    }

    /// <summary>
    /// Heartbeat thread, from the idle wheel: acts on what is due for an idle connection (pipe release after 1 s, the
    /// keep-alive deadline) and returns its next time of interest, 0 when it has none (busy, closed, or timed out).
    /// Safe to call again: a release is asked for once per idle wait, a deadline acted on once (compare-exchange).
    /// </summary>
    internal long OnIdleTimer(long now, ref long actions)
    {
        if (_timerClosed || !_isIdle)
        {
            return 0;
        }

        var idleSince = Volatile.Read(ref _idleSince);
        var wait = Volatile.Read(ref _requestNumber); // read after the time: a wait begun since makes this one's stale at worst
        if (_parkable is { } parkable && wait != _releaseAskedFor)
        {
            if (now - idleSince < ReleaseIdlePipesAfterMs)
            {
                return idleSince + ReleaseIdlePipesAfterMs;
            }

            _releaseAskedFor = wait;
            parkable.ReleaseIdlePipes(); // the loop checks it is still parked: a request that began meanwhile keeps them
            actions++;
        }

        var deadline = Volatile.Read(ref _deadline);
        if (deadline == 0 || (DeadlineKind)(deadline >> KindShift) != DeadlineKind.KeepAlive)
        {
            return 0; // not an idle wait's deadline: the state is changing, and the fence after filing catches up
        }

        if (now < (deadline & TimeMask))
        {
            return deadline & TimeMask;
        }

        if (Interlocked.CompareExchange(ref _deadline, 0, deadline) == deadline)
        {
            OnDeadline(DeadlineKind.KeepAlive);
            actions++;
        }

        return 0;
    }

    /// <summary>
    /// Heartbeat thread, from the active list (every tick while <see cref="HasActiveClock"/>): acts on an expired
    /// deadline or a too-slow request or response body. True when it acted.
    /// </summary>
    internal bool OnHeartbeat(long now)
    {
        var acted = false;

        // Compare-exchange: if the request thread moved on to a new deadline meanwhile, this one no longer applies.
        var deadline = Volatile.Read(ref _deadline);
        if (deadline != 0 && now >= (deadline & TimeMask) && Interlocked.CompareExchange(ref _deadline, 0, deadline) == deadline)
        {
            OnDeadline((DeadlineKind)(deadline >> KindShift));
            acted = true;
        }

        if (_bodyRate.IsTooSlow(now))
        {
            _bodyTimedOut = true;
            ServerLog.Timeout(_service.ConnectionLogger, ConnectionId, "MinRequestBodyDataRate");
            _input.CancelPendingRead();
            acted = true;
        }

        if (_responseRate.IsTooSlow(now))
        {
            ServerLog.Timeout(_service.ConnectionLogger, ConnectionId, "MinResponseDataRate");
            EndReason.Set(Infrastructure.Metrics.ConnectionEndReason.MinResponseDataRate);
            Abort("The client did not read the response fast enough (MinResponseDataRate).");
            acted = true;
        }

        return acted;
    }

    /// <summary>Request thread: the body reader is about to wait for bytes, under the request's minimum rate.</summary>
    internal void OnBodyReadWaitStart(MinDataRate? rate)
    {
        _bodyRate.StartWait(rate, Heartbeat.Now);
        if (rate is not null)
        {
            WatchActive();
        }
    }

    /// <summary>Request thread: a flush did not complete at once; time it against the response's minimum rate.</summary>
    internal void StartTimedWrite(MinDataRate rate, long bytes)
    {
        _responseRate.StartWrite(rate, bytes, Heartbeat.Now);
        WatchActive();
    }

    /// <summary>Request thread: the body reader got bytes (or gave up).</summary>
    internal void OnBodyReadWaitEnd() => _bodyRate.EndWait(Heartbeat.Now);

    internal void OnBodyBytesConsumed(long count) => _bodyRate.OnBytesConsumed(count);

    private void OnDeadline(DeadlineKind kind)
    {
        ServerLog.Timeout(_service.ConnectionLogger, ConnectionId, kind.ToString());
        if (kind == DeadlineKind.RequestHeaders)
        {
            _headersTimedOut = true;
            _input.CancelPendingRead();
        }
        else
        {
            // Keep-alive idle or a drain that stalled: close quietly.
            if (kind == DeadlineKind.KeepAlive)
            {
                EndReason.Set(Infrastructure.Metrics.ConnectionEndReason.KeepAliveTimeout);
            }

            Abort(kind == DeadlineKind.KeepAlive ? "Keep-alive timeout." : "Request body drain timeout.");
        }
    }

    /// <summary>Per request.</summary>
    private void ResetRequestTimers()
    {
        _headersTimedOut = false;
        _bodyTimedOut = false;
        _bodyRate.Reset();
        _responseRate.Reset();
    }
}

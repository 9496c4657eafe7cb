using EventCore.Server.Infrastructure;
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
/// state with volatile stores; the heartbeat thread reads them once a second. Acting on a timeout from the heartbeat
/// only sets a flag and cancels the pending read (both thread-safe), or aborts the transport.
/// </summary>
internal abstract partial class Http1Connection
{
    private const int KindShift = 56;
    private const long TimeMask = (1L << KindShift) - 1;

    /// <summary>How long a parked connection keeps its pipes before the heartbeat has the loop take them back.</summary>
    private const long ReleaseIdlePipesAfterMs = 1000;

    private ResponseDataRateTimer _responseRate;
    private long _deadline;

    /// <summary>When the current idle wait began (<see cref="Heartbeat.Now"/>); written by the request thread.</summary>
    private long _idleSince;

    /// <summary>The idle wait whose pipes the heartbeat last asked the loop to release (heartbeat thread only).</summary>
    private long _releaseAskedFor;
    private volatile bool _headersTimedOut;
    private volatile bool _bodyTimedOut;

    // Body data rate (MinRequestBodyDataRate): only the time the app spends waiting on a read counts, like Kestrel.
    // The rate is the request's (IHttpMinRequestBodyDataRateFeature), handed over when a wait starts.
    private MinDataRate? _bodyRate;
    private long _bodyBytesRead;
    private long _bodyWaitTotalMs;
    private long _bodyWaitStart;
    private volatile bool _bodyReadPending;

    /// <summary>The response's flush timing (MinResponseDataRate), read by the heartbeat.</summary>
    internal ref ResponseDataRateTimer ResponseRate => ref _responseRate;

    internal bool BodyTimedOut => _bodyTimedOut;

    internal void SetDeadline(DeadlineKind kind, TimeSpan timeout)
    {
        var at = Heartbeat.Now + (long)Math.Min(timeout.TotalMilliseconds, TimeMask / 2);
        Volatile.Write(ref _deadline, ((long)kind << KindShift) | at);
    }

    internal void ClearDeadline() => Volatile.Write(ref _deadline, 0);

    /// <summary>Heartbeat thread: acts on an expired deadline or a too-slow request or response body.</summary>
    public void OnHeartbeat(long now)
    {
        // Compare-exchange: if the request thread moved on to a new deadline meanwhile, this one no longer applies.
        var deadline = Volatile.Read(ref _deadline);
        if (deadline != 0 && now >= (deadline & TimeMask) && Interlocked.CompareExchange(ref _deadline, 0, deadline) == deadline)
        {
            OnDeadline((DeadlineKind)(deadline >> KindShift));
        }

        var idleSince = Volatile.Read(ref _idleSince);
        if (_parkable is { } parkable && _isIdle && idleSince != _releaseAskedFor && now - idleSince >= ReleaseIdlePipesAfterMs)
        {
            _releaseAskedFor = idleSince;
            parkable.ReleaseIdlePipes(); // the loop checks it is still parked: a request that began meanwhile keeps them
        }

        if (_bodyReadPending && IsBodyTooSlow(now))
        {
            _bodyTimedOut = true;
            ServerLog.Timeout(_service.ConnectionLogger, ConnectionId, "MinRequestBodyDataRate");
            _input.CancelPendingRead();
        }

        if (_responseRate.IsTooSlow(now))
        {
            ServerLog.Timeout(_service.ConnectionLogger, ConnectionId, "MinResponseDataRate");
            EndReason.Set(Infrastructure.Metrics.ConnectionEndReason.MinResponseDataRate);
            Abort("The client did not read the response fast enough (MinResponseDataRate).");
        }
    }

    /// <summary>Request thread: the body reader is about to wait for bytes, under the request's minimum rate.</summary>
    internal void OnBodyReadWaitStart(MinDataRate? rate)
    {
        Volatile.Write(ref _bodyRate, rate);
        Volatile.Write(ref _bodyWaitStart, Heartbeat.Now);
        _bodyReadPending = true;
    }

    /// <summary>Request thread: the body reader got bytes (or gave up).</summary>
    internal void OnBodyReadWaitEnd()
    {
        _bodyReadPending = false;
        Volatile.Write(ref _bodyWaitTotalMs, _bodyWaitTotalMs + (Heartbeat.Now - _bodyWaitStart));
    }

    internal void OnBodyBytesConsumed(long count) => Volatile.Write(ref _bodyBytesRead, _bodyBytesRead + count);

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

    private bool IsBodyTooSlow(long now)
    {
        if (Volatile.Read(ref _bodyRate) is not { } rate)
        {
            return false;
        }

        var waitedMs = Volatile.Read(ref _bodyWaitTotalMs) + (now - Volatile.Read(ref _bodyWaitStart));
        return waitedMs > rate.GracePeriod.TotalMilliseconds
            && Volatile.Read(ref _bodyBytesRead) < rate.BytesPerSecond * waitedMs / 1000;
    }

    /// <summary>Per request.</summary>
    private void ResetRequestTimers()
    {
        _headersTimedOut = false;
        _bodyTimedOut = false;
        _bodyRate = null;
        _bodyBytesRead = _bodyWaitTotalMs = _bodyWaitStart = 0;
        _bodyReadPending = false;
        _responseRate.Reset();
    }
}

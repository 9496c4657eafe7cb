using EventCore.Server.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EventCore.Server.Http1;

/// <summary>
/// Enforces a minimum request body data rate (<see cref="EventCoreServerLimits.MinRequestBodyDataRate"/>, per request
/// <c>IHttpMinRequestBodyDataRateFeature</c>) the way Kestrel does: only the time the app spends waiting on a body
/// read counts (an app that reads slowly is not the client's fault), and after the grace period the bytes read must
/// keep up with the rate over that time. The rate is the request's, handed over when a wait starts.
/// </summary>
/// <remarks>
/// Thread rules: <see cref="StartWait"/>, <see cref="EndWait"/>, <see cref="OnBytesConsumed"/> and
/// <see cref="Reset"/> on the request thread; <see cref="IsTooSlow"/> on the heartbeat thread. The rate and the start
/// are written before the waiting flag, and every field the heartbeat reads is read and written with volatile
/// semantics. A struct held in its connection and used through a ref (no object per connection).
/// </remarks>
internal struct RequestBodyRateTimer
{
    private MinDataRate? _rate;
    private long _bytesRead;
    private long _waitedMs;
    private long _waitStart;
    private volatile bool _waiting;

    /// <summary>Any thread: the app waits on a body read.</summary>
    public readonly bool IsWaiting => _waiting;

    /// <summary>Request thread: the body reader is about to wait for bytes, under <paramref name="rate"/> (null: none).</summary>
    public void StartWait(MinDataRate? rate, long now)
    {
        Volatile.Write(ref _rate, rate);
        Volatile.Write(ref _waitStart, now);
        _waiting = true;
    }

    /// <summary>Request thread: the wait ended (bytes came, or the read gave up).</summary>
    public void EndWait(long now)
    {
        _waiting = false;
        Volatile.Write(ref _waitedMs, _waitedMs + (now - _waitStart));
    }

    /// <summary>Request thread: the app consumed <paramref name="count"/> body bytes.</summary>
    public void OnBytesConsumed(long count) => Volatile.Write(ref _bytesRead, _bytesRead + count);

    /// <summary>Heartbeat thread: a read waits, past the grace period, with fewer bytes read than the rate asks for.</summary>
    public bool IsTooSlow(long now)
    {
        if (!_waiting || Volatile.Read(ref _rate) is not { } rate)
        {
            return false;
        }

        var waitedMs = Volatile.Read(ref _waitedMs) + (now - Volatile.Read(ref _waitStart));
        return waitedMs > rate.GracePeriod.TotalMilliseconds
            && Volatile.Read(ref _bytesRead) < rate.BytesPerSecond * waitedMs / 1000;
    }

    /// <summary>Request thread, per request.</summary>
    public void Reset()
    {
        _waiting = false;
        Volatile.Write(ref _rate, null);
        Volatile.Write(ref _bytesRead, 0);
        Volatile.Write(ref _waitedMs, 0);
        Volatile.Write(ref _waitStart, 0);
    }
}

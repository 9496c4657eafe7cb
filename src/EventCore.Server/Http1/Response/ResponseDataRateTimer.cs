using EventCore.Server.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EventCore.Server.Http1;

/// <summary>
/// Enforces a minimum response data rate (<see cref="EventCoreServerLimits.MinResponseDataRate"/>, per request
/// <c>IHttpMinResponseDataRateFeature</c>) the way Kestrel does: only time spent waiting on a flush counts (a
/// client that reads keeps flushes completing at once, and costs nothing here). Each waiting write of <c>n</c> bytes
/// must complete by <c>now + max(grace, n / rate)</c>, or — when writes queue behind each other — by the previous
/// deadline plus <c>n / rate</c>; the grace period is not added up over many small writes. A heartbeat that finds a
/// write waiting past its deadline aborts the connection: the client is not reading (a slow-reader attack pins a
/// connection and its buffers for as long as it likes otherwise).
/// </summary>
/// <remarks>
/// Thread rules: <see cref="StartWrite"/>, <see cref="StopWrite"/> and <see cref="Reset"/> on the request thread;
/// <see cref="IsTooSlow"/> on the heartbeat thread. The deadline is written before the pending flag and read after
/// it, so the heartbeat never pairs a pending write with an older deadline. A struct held in its connection and used
/// through a ref (no object per connection).
/// </remarks>
internal struct ResponseDataRateTimer
{
    private long _deadline;
    private volatile bool _writing;

    /// <summary>Request thread: a flush of <paramref name="bytes"/> did not complete at once; time it.</summary>
    public void StartWrite(MinDataRate rate, long bytes, long now)
    {
        var writeMs = (long)(bytes * 1000 / rate.BytesPerSecond);
        // The heartbeat may tick just after this: one interval is added so a write never gets less than its share.
        var single = now + (long)Heartbeat.Interval.TotalMilliseconds + Math.Max((long)rate.GracePeriod.TotalMilliseconds, writeMs);
        var accumulated = Volatile.Read(ref _deadline) + writeMs;
        Volatile.Write(ref _deadline, Math.Max(single, accumulated));
        _writing = true;
    }

    /// <summary>Request thread: the timed flush completed (or failed).</summary>
    public void StopWrite() => _writing = false;

    /// <summary>Any thread: a timed write is waiting.</summary>
    public readonly bool IsWriting => _writing;

    /// <summary>Heartbeat thread: a write has waited past its deadline.</summary>
    public bool IsTooSlow(long now) => _writing && now > Volatile.Read(ref _deadline);

    /// <summary>Request thread, per request.</summary>
    public void Reset()
    {
        _writing = false;
        Volatile.Write(ref _deadline, 0);
    }
}

namespace EventCore.Server.Infrastructure;

/// <summary>
/// <c>MaxConnectionAge</c>: each connection gets a deadline between 90 % and 100 % of the maximum age (spread, so
/// connections opened together do not all close together); the first response that starts after it carries
/// <c>Connection: close</c> and the connection then closes, at a request boundary. Thread-safe. When the option is
/// off the deadline is 0 and the per-request check is one field compare; when on, one clock read per response.
/// </summary>
internal sealed class ConnectionAgePolicy
{
    private readonly TimeProvider _time;
    private readonly long _maxAge;
    private long _handedOut;

    public ConnectionAgePolicy(TimeSpan? maxAge, TimeProvider time)
    {
        _time = time;
        _maxAge = maxAge is { } age && age >= TimeSpan.Zero ? (long)(age.TotalSeconds * time.TimestampFrequency) : 0;
        IsEnabled = maxAge is not null;
    }

    public bool IsEnabled { get; }

    /// <summary>The deadline (a <see cref="TimeProvider"/> timestamp) of a connection starting now; 0 = none.</summary>
    public long NewDeadline()
    {
        if (!IsEnabled)
        {
            return 0;
        }

        var shortenPercent = Interlocked.Increment(ref _handedOut) % 11;
        return Math.Max(1, _time.GetTimestamp() + (_maxAge - (_maxAge * shortenPercent / 100)));
    }

    public bool IsReached(long deadline) => deadline != 0 && _time.GetTimestamp() >= deadline;
}

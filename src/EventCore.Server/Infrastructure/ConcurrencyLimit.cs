namespace EventCore.Server.Infrastructure;

/// <summary>
/// A count of held slots with an optional maximum (<c>MaxConcurrentConnections</c>,
/// <c>MaxConcurrentUpgradedConnections</c>). Thread-safe; touched once per connection or upgrade, never per request.
/// Without a maximum nothing is counted.
/// </summary>
internal sealed class ConcurrencyLimit(long? max)
{
    private readonly long? _max = max;
    private long _count;

    /// <summary>Slots held now (0 when unlimited: nothing is counted).</summary>
    public long Count => Volatile.Read(ref _count);

    public bool TryAcquire()
    {
        if (_max is not long max)
        {
            return true;
        }

        var count = Volatile.Read(ref _count);
        while (count < max)
        {
            var seen = Interlocked.CompareExchange(ref _count, count + 1, count);
            if (seen == count)
            {
                return true;
            }

            count = seen;
        }

        return false;
    }

    public void Release()
    {
        if (_max is not null)
        {
            Interlocked.Decrement(ref _count);
        }
    }
}

namespace EventCore.Server.Infrastructure.Metrics;

/// <summary>
/// A connection's end reason. Thread rules: the request thread and the shutdown or heartbeat thread may both set it;
/// the first error wins (as in Kestrel), except that an abort at the end of the shutdown grace period overwrites.
/// Read once, after the connection has ended.
/// </summary>
internal struct ConnectionEndReasonSlot
{
    private int _reason;

    public readonly ConnectionEndReason Value => (ConnectionEndReason)Volatile.Read(in _reason);

    /// <summary>Records <paramref name="reason"/> unless a reason is already recorded.</summary>
    public void Set(ConnectionEndReason reason) => Interlocked.CompareExchange(ref _reason, (int)reason, 0);

    public void Overwrite(ConnectionEndReason reason) => Interlocked.Exchange(ref _reason, (int)reason);
}

using System.Diagnostics.Metrics;

namespace EventCore.Transport.Epoll;

/// <summary>
/// The transport's instruments on the meter "EventCore.Transport.Epoll". Counter.Add is lock-free; bytes are
/// added once per read or write batch, connection counts once per connection.
/// </summary>
internal sealed class EpollTransportMetrics : IDisposable
{
    public const string MeterName = "EventCore.Transport.Epoll";

    private readonly bool _ownsMeter;

    public EpollTransportMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        ActiveConnections = Meter.CreateUpDownCounter<long>("eventcore.transport.active_connections", "{connection}", "Open connections.");
        AcceptedConnections = Meter.CreateCounter<long>("eventcore.transport.accepted_connections", "{connection}", "Connections accepted.");
        ClosedConnections = Meter.CreateCounter<long>("eventcore.transport.closed_connections", "{connection}", "Connections closed.");
        BytesRead = Meter.CreateCounter<long>("eventcore.transport.bytes_read", "By", "Bytes received from sockets.");
        BytesWritten = Meter.CreateCounter<long>("eventcore.transport.bytes_written", "By", "Bytes sent to sockets.");
        LoopHandoffs = Meter.CreateCounter<long>("eventcore.transport.blocked_loop.handoffs", "{handoff}",
            "Loops handed to another thread because their thread blocked in a callout (application code run inline).");
        BlockedDuration = Meter.CreateHistogram<double>("eventcore.transport.blocked_loop.duration", "s",
            "How long a handed-off callout blocked, measured from when the guard first saw it until it returned.");
    }

    public Meter Meter { get; }

    public UpDownCounter<long> ActiveConnections { get; }

    public Counter<long> AcceptedConnections { get; }

    public Counter<long> ClosedConnections { get; }

    public Counter<long> BytesRead { get; }

    public Counter<long> BytesWritten { get; }

    public Counter<long> LoopHandoffs { get; }

    public Histogram<double> BlockedDuration { get; }

    /// <summary>Publishes the guard's extra threads (stuck in blocking calls, or spare) as an observable gauge.</summary>
    public void ObserveExtraLoopThreads(Func<int> count)
        => Meter.CreateObservableUpDownCounter("eventcore.transport.blocked_loop.threads", count, "{thread}",
            "Threads beyond one per loop: stuck in a blocking call after a handoff, or waiting as spares.");

    public void LoopHandedOff(int loop) => LoopHandoffs.Add(1, new KeyValuePair<string, object?>("eventcore.loop", loop));

    public void BlockedLoopReturned(int loop, TimeSpan blocked)
        => BlockedDuration.Record(blocked.TotalSeconds, new KeyValuePair<string, object?>("eventcore.loop", loop));

    public void ConnectionAccepted()
    {
        AcceptedConnections.Add(1);
        ActiveConnections.Add(1);
    }

    public void ConnectionClosed()
    {
        ClosedConnections.Add(1);
        ActiveConnections.Add(-1);
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}

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
    }

    public Meter Meter { get; }

    public UpDownCounter<long> ActiveConnections { get; }

    public Counter<long> AcceptedConnections { get; }

    public Counter<long> ClosedConnections { get; }

    public Counter<long> BytesRead { get; }

    public Counter<long> BytesWritten { get; }

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

using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Authentication;
using EventCore.Server.Http1;
using EventCore.Server.Infrastructure.Metrics;
using Microsoft.AspNetCore.Connections;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// The server's instruments on the <c>EventCore.Server</c> meter: Kestrel's connection and TLS set under EventCore's
/// names (<see cref="Connections"/>, <see cref="Tls"/>; see docs/metrics.md) and EventCore's own request counters.
/// Thread-safe; on the per-request path only tag-less <c>Add</c>/<c>Record</c> calls are made so nothing is allocated.
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "EventCore.Server";

    private static readonly string[] s_reasons = Enum.GetNames<RequestRejection>();

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _requests;
    private readonly UpDownCounter<long> _activeRequests;
    private readonly Counter<long> _badRequests;
    private readonly Histogram<double> _requestDuration;

    public ServerMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _requests = _meter.CreateCounter<long>("eventcore.server.requests", "{request}", "Requests processed.");
        _activeRequests = _meter.CreateUpDownCounter<long>("eventcore.server.active_requests", "{request}", "Requests in progress.");
        _badRequests = _meter.CreateCounter<long>("eventcore.server.bad_requests", "{request}", "Requests rejected before reaching the app.");
        _requestDuration = _meter.CreateHistogram<double>("eventcore.server.request_duration", "s", "Time from a request's head to its response's end.");
        Connections = new ConnectionMetrics(_meter);
        Tls = new TlsHandshakeMetrics(_meter);
    }

    /// <summary>Kestrel's connection instruments (<c>eventcore.active_connections</c>, <c>eventcore.connection.duration</c>, …).</summary>
    public ConnectionMetrics Connections { get; }

    /// <summary>Kestrel's TLS instruments (<c>eventcore.active_tls_handshakes</c>, <c>eventcore.tls_handshake.duration</c>).</summary>
    public TlsHandshakeMetrics Tls { get; }

    /// <summary>Returns the start timestamp for <see cref="RequestStop"/>; 0 (no clock read) while no one listens to the duration.</summary>
    public long RequestStart()
    {
        _activeRequests.Add(1);
        return _requestDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
    }

    public void RequestStop(long startTimestamp)
    {
        _activeRequests.Add(-1);
        _requests.Add(1);
        if (startTimestamp != 0 && _requestDuration.Enabled)
        {
            _requestDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
        }
    }

    public void BadRequest(RequestRejection reason)
        => _badRequests.Add(1, new KeyValuePair<string, object?>("reason", s_reasons[(int)reason]));

    /// <summary>
    /// For the TLS layer: call when a connection's TLS handshake begins, and hand the result to
    /// <see cref="TlsHandshakeStop"/> when it ends (success or failure), exactly once.
    /// </summary>
    public TlsHandshakeMeasurement TlsHandshakeStart(ConnectionContext connection) => Tls.Start(connection.LocalEndPoint);

    /// <summary>
    /// For the TLS layer: the handshake ended with <paramref name="protocol"/> negotiated (null on failure) or
    /// <paramref name="error"/>. To also tag the connection's duration with <c>tls.protocol.version</c>, set
    /// <c>ITlsHandshakeFeature</c> on the connection's features (as Kestrel's HTTPS middleware does).
    /// </summary>
    public void TlsHandshakeStop(in TlsHandshakeMeasurement measurement, SslProtocols? protocol, Exception? error)
        => Tls.Stop(measurement, protocol, error);

    /// <summary>A factory-made meter belongs to the factory (the host disposes it).</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}

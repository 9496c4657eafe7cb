using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Authentication;

namespace EventCore.Server.Infrastructure.Metrics;

/// <summary>
/// Kestrel's TLS instruments under EventCore's names: <c>eventcore.active_tls_handshakes</c> and
/// <c>eventcore.tls_handshake.duration</c> (tags: the endpoint's, <c>tls.protocol.version</c> on success,
/// <c>error.type</c> = the exception's full type name on failure). Thread-safe; once per handshake.
/// </summary>
internal sealed class TlsHandshakeMetrics
{
    // Kestrel's advice (MetricsConstants.ShortSecondsBucketBoundaries).
    private static readonly double[] s_shortSecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly UpDownCounter<long> _active;
    private readonly Histogram<double> _duration;

    public TlsHandshakeMetrics(Meter meter)
    {
        _active = meter.CreateUpDownCounter<long>("eventcore.active_tls_handshakes", "{handshake}", "Number of TLS handshakes that are currently in progress on the server.");
        _duration = meter.CreateHistogram("eventcore.tls_handshake.duration", "s", "The duration of TLS handshakes on the server.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_shortSecondsBuckets });
    }

    public TlsHandshakeMeasurement Start(EndPoint? local)
    {
        var measurement = new TlsHandshakeMeasurement(local, Stopwatch.GetTimestamp(), _active.Enabled);
        if (measurement.ActiveCounted)
        {
            var tags = default(TagList);
            EndpointTags.Add(ref tags, local);
            _active.Add(1, tags);
        }

        return measurement;
    }

    public void Stop(in TlsHandshakeMeasurement measurement, SslProtocols? protocol, Exception? error)
    {
        if (!measurement.ActiveCounted && !_duration.Enabled)
        {
            return;
        }

        var tags = default(TagList);
        EndpointTags.Add(ref tags, measurement.LocalEndPoint);
        if (measurement.ActiveCounted)
        {
            _active.Add(-1, tags);
        }

        if (ProtocolVersion(protocol) is { } version)
        {
            tags.Add("tls.protocol.version", version);
        }

        if (error is not null)
        {
            tags.Add("error.type", error.GetType().FullName);
        }

        _duration.Record(Stopwatch.GetElapsedTime(measurement.StartTimestamp).TotalSeconds, tags);
    }

    /// <summary>The <c>tls.protocol.version</c> value ("1.2", "1.3"), or null when unknown.</summary>
    public static string? ProtocolVersion(SslProtocols? protocol) => protocol switch
    {
        SslProtocols.Tls12 => "1.2",
        SslProtocols.Tls13 => "1.3",
        _ => null,
    };
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Authentication;

namespace EventCore.Server.Infrastructure.Metrics;

/// <summary>
/// Kestrel's connection instruments (<c>kestrel.*</c> on <c>Microsoft.AspNetCore.Server.Kestrel</c>) under EventCore's
/// names (<c>eventcore.*</c> on <c>EventCore.Server</c>): same instrument kinds, units, bucket advice and tags, so a
/// dashboard built for Kestrel works after the rename. Thread-safe. Called once per connection event (accept,
/// start, upgrade, end), never per request; tags are built only while the instrument is enabled.
/// </summary>
internal sealed class ConnectionMetrics
{
    // Kestrel's advice (MetricsConstants.LongSecondsBucketBoundaries).
    private static readonly double[] s_longSecondsBuckets = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

    private readonly UpDownCounter<long> _active;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _rejected;
    private readonly UpDownCounter<long> _queued;
    private readonly UpDownCounter<long> _upgraded;

    public ConnectionMetrics(Meter meter)
    {
        _active = meter.CreateUpDownCounter<long>("eventcore.active_connections", "{connection}", "Number of connections that are currently active on the server.");
        _duration = meter.CreateHistogram("eventcore.connection.duration", "s", "The duration of connections on the server.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_longSecondsBuckets });
        _rejected = meter.CreateCounter<long>("eventcore.rejected_connections", "{connection}",
            "Number of connections rejected by the server. Connections are rejected when the currently active count exceeds the value configured with MaxConcurrentConnections.");
        _queued = meter.CreateUpDownCounter<long>("eventcore.queued_connections", "{connection}", "Number of connections that are currently queued and are waiting to start.");
        _upgraded = meter.CreateUpDownCounter<long>("eventcore.upgraded_connections", "{connection}",
            "Number of HTTP connections that are currently upgraded (WebSockets). The number only tracks HTTP/1.1 connections.");
    }

    public ConnectionMetricsContext Start(EndPoint? local)
    {
        var context = new ConnectionMetricsContext(local, Stopwatch.GetTimestamp(), _active.Enabled, _duration.Enabled);
        if (context.ActiveCounted)
        {
            _active.Add(1, Tags(local));
        }

        return context;
    }

    /// <summary>
    /// The connection ended. <paramref name="servedHttp"/>: it reached the HTTP/1.1 engine (a rejected one did not),
    /// so the duration carries <c>network.protocol.name/version</c> as Kestrel's does; <paramref name="tlsProtocol"/>
    /// adds <c>tls.protocol.version</c>.
    /// </summary>
    public void Stop(in ConnectionMetricsContext context, ConnectionEndReason reason, bool servedHttp, SslProtocols? tlsProtocol = null)
    {
        if (context.ActiveCounted)
        {
            _active.Add(-1, Tags(context.LocalEndPoint));
        }

        if (!context.DurationEnabled)
        {
            return;
        }

        var tags = Tags(context.LocalEndPoint);
        if (reason.ErrorType() is { } errorType)
        {
            tags.Add("error.type", errorType);
        }

        if (servedHttp)
        {
            tags.Add("network.protocol.name", "http");
            tags.Add("network.protocol.version", "1.1");
        }

        if (TlsHandshakeMetrics.ProtocolVersion(tlsProtocol) is { } version)
        {
            tags.Add("tls.protocol.version", version);
        }

        _duration.Record(Stopwatch.GetElapsedTime(context.StartTimestamp).TotalSeconds, tags);
    }

    public void Rejected(EndPoint? local)
    {
        if (_rejected.Enabled)
        {
            _rejected.Add(1, Tags(local));
        }
    }

    /// <summary>An accepted connection waits for a thread to start it. Returns whether it was counted (pass to <see cref="QueuedStop"/>).</summary>
    public bool QueuedStart(EndPoint? local)
    {
        if (!_queued.Enabled)
        {
            return false;
        }

        _queued.Add(1, Tags(local));
        return true;
    }

    public void QueuedStop(EndPoint? local, bool counted)
    {
        if (counted)
        {
            _queued.Add(-1, Tags(local));
        }
    }

    /// <summary>A request was upgraded (101). Returns whether it was counted (pass to <see cref="UpgradedStop"/>).</summary>
    public bool UpgradedStart(EndPoint? local)
    {
        if (!_upgraded.Enabled)
        {
            return false;
        }

        _upgraded.Add(1, Tags(local));
        return true;
    }

    public void UpgradedStop(EndPoint? local, bool counted)
    {
        if (counted)
        {
            _upgraded.Add(-1, Tags(local));
        }
    }

    private static TagList Tags(EndPoint? local)
    {
        var tags = default(TagList);
        EndpointTags.Add(ref tags, local);
        return tags;
    }
}

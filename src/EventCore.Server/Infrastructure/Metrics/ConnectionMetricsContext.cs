using System.Net;

namespace EventCore.Server.Infrastructure.Metrics;

/// <summary>
/// What a connection's start measured, so that its stop reports the same tags and undoes exactly what the start did
/// even if a listener came or went in between (Kestrel caches the same per connection).
/// </summary>
internal readonly record struct ConnectionMetricsContext(EndPoint? LocalEndPoint, long StartTimestamp, bool ActiveCounted, bool DurationEnabled);

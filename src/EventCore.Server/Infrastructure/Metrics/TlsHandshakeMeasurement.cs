using System.Net;

namespace EventCore.Server.Infrastructure.Metrics;

/// <summary>A TLS handshake in progress, as returned by <see cref="ServerMetrics.TlsHandshakeStart"/>; hand it back to <see cref="ServerMetrics.TlsHandshakeStop"/>.</summary>
internal readonly record struct TlsHandshakeMeasurement(EndPoint? LocalEndPoint, long StartTimestamp, bool ActiveCounted);

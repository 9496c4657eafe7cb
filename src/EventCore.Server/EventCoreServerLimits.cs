using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EventCore.Server;

/// <summary>
/// Request limits and timeouts. Defaults follow Kestrel's. Bound from configuration section <c>EventCore:Limits</c>.
/// </summary>
public sealed class EventCoreServerLimits
{
    /// <summary>Longest request line (method, target, version) in bytes; a longer target is answered 414. Default 8 KiB.</summary>
    public int MaxRequestLineSize { get; set; } = 8 * 1024;

    /// <summary>Longest single header line in bytes; longer is answered 431. Default 8 KiB.</summary>
    public int MaxRequestHeaderLineSize { get; set; } = 8 * 1024;

    /// <summary>Largest header section in bytes; larger is answered 431. Default 32 KiB.</summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    /// <summary>Most header fields in one request; more is answered 431. Default 100.</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>
    /// Largest request body in bytes (null = unlimited); larger is answered 413. Default 30,000,000.
    /// Settable per request through <c>IHttpMaxRequestBodySizeFeature</c> until the body is read.
    /// </summary>
    public long? MaxRequestBodySize { get; set; } = 30_000_000;

    /// <summary>How much of an unread request body is drained before the next request; beyond it the connection closes. Default 64 KiB.</summary>
    public long MaxRequestBodyDrainSize { get; set; } = 64 * 1024;

    /// <summary>How long an idle keep-alive connection stays open. Default 130 s.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>How long the client has to send the whole request head, from its first byte. Default 30 s; answered 408.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Slowest accepted request-body upload: bytes/second, applied after its grace period and counting only the time
    /// the app waits for body bytes; slower is answered 408 (the app's read throws). Null: no minimum. Default 240 B/s
    /// with a 5 s grace period, as in Kestrel. Settable per request through <c>IHttpMinRequestBodyDataRateFeature</c>.
    /// </summary>
    public MinDataRate? MinRequestBodyDataRate { get; set; } = new(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));

    /// <summary>
    /// Slowest accepted response download: bytes/second, counting only the time a write waits for the client to read;
    /// slower aborts the connection (a client that does not read cannot hold a connection and its buffers). Null: no
    /// minimum. Default 240 B/s with a 5 s grace period, as in Kestrel. Settable per request through
    /// <c>IHttpMinResponseDataRateFeature</c>. Upgraded (WebSocket) connections are not timed.
    /// </summary>
    public MinDataRate? MinResponseDataRate { get; set; } = new(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));

    /// <summary>
    /// Most simultaneous connections (null = unlimited); further ones are closed at accept, or answered with
    /// <see cref="RejectedConnectionStatusCode"/> when set. Upgraded connections (WebSockets) do not count here, as in
    /// Kestrel: they count against <see cref="MaxConcurrentUpgradedConnections"/>.
    /// </summary>
    public long? MaxConcurrentConnections { get; set; }

    /// <summary>
    /// Most simultaneous upgraded connections (WebSockets; null = unlimited, the default, as in Kestrel). Beyond it
    /// <c>IHttpUpgradeFeature.UpgradeAsync</c> throws <see cref="InvalidOperationException"/>, so the request is
    /// answered 500 unless the app catches it.
    /// </summary>
    public long? MaxConcurrentUpgradedConnections { get; set; }

    /// <summary>
    /// What a connection beyond <see cref="MaxConcurrentConnections"/> gets. Null (the default, Kestrel's behaviour):
    /// it is closed at accept without a word. A status code (400–599, typically 503): its request head is read (for up
    /// to 5 seconds) and answered with that status, <c>Content-Length: 0</c> and <c>Connection: close</c>, so clients
    /// and load balancers see an explicit refusal they can retry elsewhere. On an HTTPS endpoint the answer follows a TLS
    /// handshake (bounded by the endpoint's HandshakeTimeout).
    /// </summary>
    public int? RejectedConnectionStatusCode
    {
        get => _rejectedConnectionStatusCode;
        set => _rejectedConnectionStatusCode = value is null or (>= 400 and <= 599)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "A rejected connection is answered with a 4xx or 5xx status.");
    }

    /// <summary>
    /// The longest a connection is kept (null = no limit, the default). After it (between 90 % and 100 % of it, spread
    /// so connections opened together do not close together) the next response carries <c>Connection: close</c> and
    /// the connection closes at that request boundary, so clients reconnect and a load balancer can rebalance. Never
    /// cuts a request or response; an idle connection past its age is closed by its next response or the keep-alive timeout.
    /// </summary>
    public TimeSpan? MaxConnectionAge { get; set; }

    private int? _rejectedConnectionStatusCode;
}

namespace EventCore.Server.Infrastructure.Metrics;

/// <summary>
/// Why a connection ended with an error: the <c>error.type</c> tag of <c>eventcore.connection.duration</c>, with
/// Kestrel's values (its <c>ConnectionEndReason</c>) where one applies. <see cref="None"/>: a normal end (peer closed
/// between requests, <c>Connection: close</c>, graceful shutdown), which carries no <c>error.type</c>.
/// </summary>
internal enum ConnectionEndReason
{
    None,
    KeepAliveTimeout,
    RequestHeadersTimeout,
    MinRequestBodyDataRate,
    MinResponseDataRate,
    InvalidRequestLine,
    InvalidRequestHeaders,
    InvalidHttpVersion,
    MaxRequestHeadersTotalSizeExceeded,
    MaxRequestHeaderCountExceeded,
    MaxRequestBodySizeExceeded,
    UnexpectedEndOfRequestContent,

    /// <summary>EventCore-specific: malformed chunked framing of a request body (Kestrel has no value for it).</summary>
    InvalidRequestBody,
    ErrorAfterStartingResponse,
    ResponseContentLengthMismatch,
    AbortedByApp,
    AppShutdownTimeout,
    MaxConcurrentConnectionsExceeded,
    ConnectionReset,

    /// <summary>For the TLS layer: the handshake failed.</summary>
    TlsHandshakeFailed,
    OtherError,
}

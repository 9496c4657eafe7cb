using EventCore.Server.Http1;

namespace EventCore.Server.Infrastructure.Metrics;

internal static class ConnectionEndReasonExtensions
{
    /// <summary>The <c>error.type</c> value (Kestrel's spelling), or null for a normal end.</summary>
    public static string? ErrorType(this ConnectionEndReason reason) => reason switch
    {
        ConnectionEndReason.None => null,
        ConnectionEndReason.KeepAliveTimeout => "keep_alive_timeout",
        ConnectionEndReason.RequestHeadersTimeout => "request_headers_timeout",
        ConnectionEndReason.MinRequestBodyDataRate => "min_request_body_data_rate",
        ConnectionEndReason.MinResponseDataRate => "min_response_data_rate",
        ConnectionEndReason.InvalidRequestLine => "invalid_request_line",
        ConnectionEndReason.InvalidRequestHeaders => "invalid_request_headers",
        ConnectionEndReason.InvalidHttpVersion => "invalid_http_version",
        ConnectionEndReason.MaxRequestHeadersTotalSizeExceeded => "max_request_headers_total_size_exceeded",
        ConnectionEndReason.MaxRequestHeaderCountExceeded => "max_request_header_count_exceeded",
        ConnectionEndReason.MaxRequestBodySizeExceeded => "max_request_body_size_exceeded",
        ConnectionEndReason.UnexpectedEndOfRequestContent => "unexpected_end_of_request_content",
        ConnectionEndReason.InvalidRequestBody => "invalid_request_body",
        ConnectionEndReason.ErrorAfterStartingResponse => "error_after_starting_response",
        ConnectionEndReason.ResponseContentLengthMismatch => "response_content_length_mismatch",
        ConnectionEndReason.AbortedByApp => "aborted_by_app",
        ConnectionEndReason.AppShutdownTimeout => "app_shutdown_timeout",
        ConnectionEndReason.MaxConcurrentConnectionsExceeded => "max_concurrent_connections_exceeded",
        ConnectionEndReason.ConnectionReset => "connection_reset",
        ConnectionEndReason.TlsHandshakeFailed => "tls_handshake_failed",
        _ => "other_error",
    };

    /// <summary>The end reason of a connection closed because a request was refused (Kestrel's grouping).</summary>
    public static ConnectionEndReason ToEndReason(this RequestRejection rejection) => rejection switch
    {
        RequestRejection.None => ConnectionEndReason.None,
        RequestRejection.InvalidRequestLine or RequestRejection.InvalidMethod or RequestRejection.InvalidRequestTarget
            or RequestRejection.RequestTargetTooLong => ConnectionEndReason.InvalidRequestLine,
        RequestRejection.InvalidHttpVersion or RequestRejection.UnsupportedHttpVersion => ConnectionEndReason.InvalidHttpVersion,
        RequestRejection.HeadersTooLarge => ConnectionEndReason.MaxRequestHeadersTotalSizeExceeded,
        RequestRejection.TooManyHeaders => ConnectionEndReason.MaxRequestHeaderCountExceeded,
        RequestRejection.InvalidChunkSize or RequestRejection.InvalidChunkExtension or RequestRejection.MissingChunkDataTerminator
            or RequestRejection.InvalidTrailer => ConnectionEndReason.InvalidRequestBody,
        RequestRejection.UnexpectedEndOfRequestContent => ConnectionEndReason.UnexpectedEndOfRequestContent,
        RequestRejection.RequestBodyTooLarge => ConnectionEndReason.MaxRequestBodySizeExceeded,
        RequestRejection.RequestHeadersTimeout => ConnectionEndReason.RequestHeadersTimeout,
        RequestRejection.RequestBodyTimeout => ConnectionEndReason.MinRequestBodyDataRate,
        _ => ConnectionEndReason.InvalidRequestHeaders, // header syntax, framing fields, Host, a head cut short
    };
}

namespace EventCore.Server.Http1;

/// <summary>
/// Why a request was refused. Bad input is a value, not an exception: the parser returns it and the
/// connection answers with <see cref="RequestRejectionExtensions.StatusCode"/> and closes.
/// </summary>
internal enum RequestRejection : byte
{
    None,

    // Request line (400 unless noted).
    InvalidRequestLine,
    UnexpectedEndOfRequestHead,    // the client closed its side in the middle of a request head
    InvalidMethod,
    InvalidRequestTarget,
    RequestTargetTooLong,          // 414
    InvalidHttpVersion,
    UnsupportedHttpVersion,        // 505 (HTTP/2 and above)

    // Header fields.
    InvalidHeaderLine,
    InvalidHeaderName,
    WhitespaceBeforeColon,
    ObsoleteLineFolding,
    InvalidHeaderValue,
    HeaderLineTooLong,             // 431
    HeadersTooLarge,               // 431
    TooManyHeaders,                // 431

    // Framing and Host (RFC 9112 §6, §3.2).
    InvalidContentLength,
    MultipleContentLengths,
    ContentLengthWithTransferEncoding,
    ChunkedNotFinalCoding,
    UnsupportedTransferCoding,     // 501
    InvalidTransferEncoding,       // a coding that is not a token, or chunked with parameters
    TransferEncodingInHttp10,      // RFC 9112 §6.1: faulty framing in an HTTP/1.0 request
    LengthRequiredHttp10,          // an HTTP/1.0 POST or PUT without Content-Length (Kestrel's 400 "Length Required")
    MissingHost,
    MultipleHosts,
    InvalidHost,

    // Chunked body.
    InvalidChunkSize,
    InvalidChunkExtension,
    MissingChunkDataTerminator,
    InvalidTrailer,
    UnexpectedEndOfRequestContent,

    // Limits and timeouts enforced by the connection.
    RequestBodyTooLarge,           // 413
    RequestHeadersTimeout,         // 408
    RequestBodyTimeout,            // 408
}

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace EventCore.Server.Http1;

/// <summary>What a <c>Transfer-Encoding</c> response header set by the app means for the framing.</summary>
internal enum AppTransferCoding : byte
{
    /// <summary>The app set none: the server picks the framing (Content-Length, chunked, or close).</summary>
    None,

    /// <summary>Its final coding is chunked: the server chunks the app's bytes (they are content, never framing).</summary>
    Chunked,

    /// <summary>Another final coding (e.g. <c>gzip</c>): the body passes through and ends with the connection.</summary>
    Other,
}

/// <summary>
/// A <c>Transfer-Encoding</c> header set by the app, decided when the head is committed. Where Kestrel agrees with the
/// RFC this follows Kestrel: a final coding other than chunked is close-delimited (RFC 9112 §6.1), and the header on a
/// response that cannot have a body (1xx, 204, 304) throws <see cref="InvalidOperationException"/> with Kestrel's
/// message. Where Kestrel passes the app's bytes through as the framing (it trusts an app that sets
/// <c>Transfer-Encoding: chunked</c> to write the chunk framing itself, and sends Content-Length along with it),
/// EventCore does the safe thing: it chunks the bytes itself, so app content can never be read as framing (no
/// response splitting), and drops a Content-Length set alongside (RFC 9112 §6.2). To HTTP/1.0 the header is not sent
/// (RFC 9112 §6.1). Stateless.
/// </summary>
internal static class AppTransferEncoding
{
    /// <summary>
    /// Classifies the app's header and makes the headers consistent with it (removes what must not be sent). Called
    /// before the head is committed; the fast path (no header) is one bit of <see cref="ResponseHeaders.Known"/>.
    /// </summary>
    public static AppTransferCoding Prepare(ResponseHeaders headers, HttpVersion version, int statusCode)
    {
        if ((headers.Known & KnownResponseHeaders.TransferEncoding) == 0 || !headers.TryGetValue(HeaderNames.TransferEncoding, out var value))
        {
            return AppTransferCoding.None;
        }

        if (statusCode is < 200 or StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
        {
            ResponseFieldValidation.Throw($"Setting the header Transfer-Encoding is not allowed on responses with status code {statusCode}.");
        }

        if (version == HttpVersion.Http10)
        {
            headers.Remove(HeaderNames.TransferEncoding);
            return AppTransferCoding.None;
        }

        if (!IsFinalCodingChunked(value))
        {
            return AppTransferCoding.Other;
        }

        headers.ContentLength = null;
        return AppTransferCoding.Chunked;
    }

    /// <summary>Whether the last coding listed (across all values) is <c>chunked</c>.</summary>
    private static bool IsFinalCodingChunked(StringValues value)
    {
        for (var i = value.Count - 1; i >= 0; i--)
        {
            var text = value[i].AsSpan().TrimEnd(" \t,");
            if (text.IsEmpty)
            {
                continue;
            }

            var comma = text.LastIndexOf(',');
            return text[(comma + 1)..].Trim(" \t").Equals("chunked", StringComparison.OrdinalIgnoreCase);
        }

        return false;
    }
}

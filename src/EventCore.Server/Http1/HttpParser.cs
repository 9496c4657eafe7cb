using System.Buffers;

namespace EventCore.Server.Http1;

internal enum ParseResult : byte
{
    /// <summary>More bytes are needed; the reader stands after the last whole element delivered.</summary>
    Incomplete,

    /// <summary>The element (request line, or the whole header section) was parsed and consumed.</summary>
    Complete,

    /// <summary>The input is invalid; the rejection says why. The connection must answer and close.</summary>
    Rejected,
}

/// <summary>Size limits the parser enforces (from <c>EventCoreServerLimits</c>).</summary>
internal readonly record struct HttpParserLimits(int MaxRequestLineSize, int MaxRequestHeaderLineSize, int MaxRequestHeadersTotalSize, int MaxRequestHeaderCount)
{
    public static HttpParserLimits Default => new(8 * 1024, 8 * 1024, 32 * 1024, 100);
}

/// <summary>Carries the header-section counters across incremental <see cref="HttpParser.ParseHeaders"/> calls. Reset per request.</summary>
internal struct HeaderParsingState
{
    public int HeaderCount;
    public int TotalSize;

    public void Reset() => this = default;
}

/// <summary>
/// The strict, incremental HTTP/1.1 request-head parser (RFC 9112). It keeps no per-request state of its
/// own: any split of the input gives the same result.
/// </summary>
internal sealed class HttpParser(HttpParserLimits limits)
{
    public HttpParserLimits Limits { get; } = limits;

    /// <summary>
    /// Parses the request line (ignoring empty lines before it). On <see cref="ParseResult.Complete"/> the reader
    /// stands after its CRLF and the handler was called once; on Incomplete the reader is unchanged.
    /// </summary>
    public ParseResult ParseRequestLine<THandler>(THandler handler, ref SequenceReader<byte> reader, out RequestRejection rejection)
        where THandler : IHttpRequestLineHandler
        => throw new NotImplementedException();

    /// <summary>
    /// Parses every whole header line buffered, calling the handler for each; Complete once the empty line that
    /// ends the section is consumed. Also used for chunked trailers.
    /// </summary>
    public ParseResult ParseHeaders<THandler>(THandler handler, ref SequenceReader<byte> reader, ref HeaderParsingState state, out RequestRejection rejection)
        where THandler : IHttpHeadersHandler
        => throw new NotImplementedException();
}

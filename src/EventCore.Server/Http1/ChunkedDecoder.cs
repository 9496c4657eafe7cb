using System.Buffers;

namespace EventCore.Server.Http1;

internal enum ChunkedStatus : byte
{
    /// <summary><c>data</c> holds the next bytes of chunk data (never empty); the reader stands after them.</summary>
    Data,

    /// <summary>The reader holds no whole framing element; read more and call again.</summary>
    NeedMoreData,

    /// <summary>The last chunk and the trailer section were consumed; the body is complete.</summary>
    Complete,

    /// <summary>Invalid framing: answer 400 and close, never re-synchronise.</summary>
    Rejected,
}

/// <summary>
/// Incremental decoder of the chunked transfer coding (RFC 9112 §7.1). One per connection, reset per request.
/// Trailer fields go to the handler through <see cref="HttpParser.ParseHeaders"/>'s rules and limits.
/// </summary>
internal sealed class ChunkedDecoder(HttpParser parser)
{
    private readonly HttpParser _parser = parser;

    public void Reset() => throw new NotImplementedException();

    public ChunkedStatus Decode<THandler>(ref SequenceReader<byte> reader, THandler trailerHandler, out ReadOnlySequence<byte> data, out RequestRejection rejection)
        where THandler : IHttpHeadersHandler
        => throw new NotImplementedException();
}

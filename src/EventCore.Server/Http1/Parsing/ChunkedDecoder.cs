using System.Buffers;
using System.Runtime.CompilerServices;

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
/// <remarks>
/// Call <see cref="Decode"/> until it returns <see cref="ChunkedStatus.NeedMoreData"/> (keep the unread bytes, read
/// more, call again), <see cref="ChunkedStatus.Complete"/> (the reader stands at the next request) or
/// <see cref="ChunkedStatus.Rejected"/> (sticky until <see cref="Reset"/>). Data is handed out as soon as any byte of
/// the current chunk is buffered. A chunk-size line (size and extensions, without CRLF) longer than
/// <see cref="MaxChunkSizeLineLength"/> is refused, so a client cannot make us buffer extensions forever.
/// Not thread-safe: owned by its connection.
/// </remarks>
internal sealed partial class ChunkedDecoder(HttpParser parser)
{
    /// <summary>Longest chunk-size line (hex size, extensions and their whitespace; CRLF excluded).</summary>
    public const int MaxChunkSizeLineLength = 4096;

    /// <summary>
    /// Most hex digits in a chunk size, leading zeros included (found by the differential fuzzer: Kestrel refuses
    /// longer ones, and a peer that truncates would see a different size); also, more digits than this at the start
    /// of a too-long size line make it a size error, not an extension error.
    /// </summary>
    private const int MaxSizeDigits = 16;

    private readonly HttpParser _parser = parser;
    private State _state;
    private long _remaining;
    private HeaderParsingState _trailerState;
    private RequestRejection _rejection;

    private enum State : byte
    {
        SizeLine,
        Data,
        DataTerminator,
        Trailers,
        Complete,
        Rejected,
    }

    /// <summary>Bytes of the current chunk's data not yet handed out.</summary>
    public long RemainingInChunk => _remaining;

    public void Reset()
    {
        _state = State.SizeLine;
        _remaining = 0;
        _trailerState.Reset();
        _rejection = RequestRejection.None;
    }

    public ChunkedStatus Decode<THandler>(ref SequenceReader<byte> reader, THandler trailerHandler, out ReadOnlySequence<byte> data, out RequestRejection rejection)
        where THandler : IHttpHeadersHandler
    {
        data = default;
        ChunkedStatus? status = null;
        while (status is null)
        {
            status = _state switch
            {
                State.SizeLine => ReadSizeLine(ref reader),
                State.Data => ReadData(ref reader, out data),
                State.DataTerminator => ReadDataTerminator(ref reader),
                State.Trailers => ReadTrailers(ref reader, trailerHandler),
                State.Complete => ChunkedStatus.Complete,
                _ => ChunkedStatus.Rejected,
            };
        }

        rejection = _rejection;
        return status.Value;
    }

    /// <summary><c>chunk-size [ chunk-ext ] CRLF</c>; null when consumed (go on with the next state).</summary>
    [SkipLocalsInit]
    private ChunkedStatus? ReadSizeLine(ref SequenceReader<byte> reader)
    {
        int lineFeed = HttpParser.FindLineFeed(reader, MaxChunkSizeLineLength + 1);
        if (lineFeed == HttpParser.NoLineFeed)
        {
            return ChunkedStatus.NeedMoreData;
        }

        if (lineFeed == HttpParser.LineTooLong)
        {
            return Reject(StartsWithLongSize(reader) ? RequestRejection.InvalidChunkSize : RequestRejection.InvalidChunkExtension);
        }

        Span<byte> stackScratch = stackalloc byte[HttpParser.StackScratchSize];
        byte[]? rented = null;
        ReadOnlySpan<byte> line = HttpParser.GetLine(reader, lineFeed, stackScratch, ref rented);
        RequestRejection rejection = ParseSizeLine(line, out long size);
        HttpParser.ReturnScratch(rented);
        if (rejection != RequestRejection.None)
        {
            return Reject(rejection);
        }

        reader.Advance(lineFeed + 1);
        _remaining = size;
        _state = size == 0 ? State.Trailers : State.Data;
        return null;
    }

    private ChunkedStatus? ReadData(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> data)
    {
        long take = Math.Min(reader.Remaining, _remaining);
        data = reader.UnreadSequence.Slice(0, take);
        if (take == 0)
        {
            return ChunkedStatus.NeedMoreData;
        }

        reader.Advance(take);
        _remaining -= take;
        _state = _remaining == 0 ? State.DataTerminator : State.Data;
        return ChunkedStatus.Data;
    }

    /// <summary>The CRLF that must follow chunk data exactly; anything else is refused at its first byte.</summary>
    private ChunkedStatus? ReadDataTerminator(ref SequenceReader<byte> reader)
    {
        if (!reader.TryPeek(out byte first))
        {
            return ChunkedStatus.NeedMoreData;
        }

        if (first != (byte)'\r')
        {
            return Reject(RequestRejection.MissingChunkDataTerminator);
        }

        if (!reader.TryPeek(1, out byte second))
        {
            return ChunkedStatus.NeedMoreData;
        }

        if (second != (byte)'\n')
        {
            return Reject(RequestRejection.MissingChunkDataTerminator);
        }

        reader.Advance(2);
        _state = State.SizeLine;
        return null;
    }

    private ChunkedStatus? ReadTrailers<THandler>(ref SequenceReader<byte> reader, THandler trailerHandler)
        where THandler : IHttpHeadersHandler
    {
        ParseResult result = _parser.ParseHeaders(trailerHandler, ref reader, ref _trailerState, out RequestRejection rejection);
        if (result == ParseResult.Rejected)
        {
            return Reject(rejection);
        }

        if (result == ParseResult.Incomplete)
        {
            return ChunkedStatus.NeedMoreData;
        }

        _state = State.Complete;
        return ChunkedStatus.Complete;
    }

    private ChunkedStatus Reject(RequestRejection rejection)
    {
        _state = State.Rejected;
        _rejection = rejection;
        return ChunkedStatus.Rejected;
    }

    /// <summary>Whether a too-long size line starts with more hex digits than any sane size has.</summary>
    [SkipLocalsInit]
    private static bool StartsWithLongSize(in SequenceReader<byte> reader)
    {
        Span<byte> start = stackalloc byte[MaxSizeDigits + 1];
        return reader.TryCopyTo(start) && start.IndexOfAnyExcept(HttpCharacters.HexDigits) < 0;
    }
}

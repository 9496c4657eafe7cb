using System.Buffers;
using System.Runtime.CompilerServices;

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
/// <param name="MaxRequestLineSize">Longest request line (method SP target SP version, without CRLF); longer → 414.</param>
/// <param name="MaxRequestHeaderLineSize">Longest field line (without CRLF); longer → 431.</param>
/// <param name="MaxRequestHeadersTotalSize">Largest header section: the field lines with their CRLFs (not the request line nor the final CRLF); larger → 431.</param>
/// <param name="MaxRequestHeaderCount">Most field lines in one section; more → 431.</param>
internal readonly record struct HttpParserLimits(int MaxRequestLineSize, int MaxRequestHeaderLineSize, int MaxRequestHeadersTotalSize, int MaxRequestHeaderCount)
{
    public static HttpParserLimits Default => new(8 * 1024, 8 * 1024, 32 * 1024, 100);
}

/// <summary>Carries the header-section counters across incremental <see cref="HttpParser.ParseHeaders"/> calls. Reset per request.</summary>
internal struct HeaderParsingState
{
    /// <summary>Field lines delivered so far.</summary>
    public int HeaderCount;

    /// <summary>Bytes of the field lines delivered so far, CRLFs included.</summary>
    public int TotalSize;

    public void Reset() => this = default;
}

/// <summary>
/// The strict, incremental HTTP/1.1 request-head parser (RFC 9112). It keeps no per-request state of its
/// own: any split of the input gives the same result. It works on the spans of the read buffer; a line that
/// crosses buffer segments is copied into a stack (or, when long, pooled) scratch buffer first.
/// </summary>
/// <remarks>
/// Strictness choices: CRLF is required everywhere in the head — a bare LF or a bare CR is a 400, never a line
/// end (RFC 9112 §2.2 allows either, strict closes a smuggling vector). Any number of empty lines (CRLF) before the
/// request line is ignored (RFC 9112 §2.2 asks for at least one); they are consumed even when the request line is
/// still incomplete, so they never pile up in the buffer (the headers timeout bounds a client that only sends those).
/// Limits are decided from the first bytes of a line only, so a truncated input is rejected exactly when the whole
/// one would be, and with the same reason. Immutable and so thread-safe: one instance may serve every connection.
/// </remarks>
internal sealed partial class HttpParser(HttpParserLimits limits)
{
    public HttpParserLimits Limits { get; } = limits;

    /// <summary>
    /// Parses the request line (ignoring empty lines before it). On <see cref="ParseResult.Complete"/> the reader
    /// stands after its CRLF and the handler was called once; on Incomplete the reader stands after any leading
    /// empty lines it skipped (consuming them is always safe), before the request line.
    /// </summary>
    [SkipLocalsInit]
    public ParseResult ParseRequestLine<THandler>(THandler handler, ref SequenceReader<byte> reader, out RequestRejection rejection)
        where THandler : IHttpRequestLineHandler
    {
        ParseResult result = SkipEmptyLines(ref reader, out rejection);
        if (result != ParseResult.Complete)
        {
            return result;
        }

        int lineFeed = FindLineFeed(reader, Limits.MaxRequestLineSize + 1L);
        if (lineFeed < 0)
        {
            return lineFeed == NoLineFeed ? ParseResult.Incomplete : Reject(RequestRejection.RequestTargetTooLong, out rejection);
        }

        Span<byte> stackScratch = stackalloc byte[StackScratchSize];
        byte[]? rented = null;
        ReadOnlySpan<byte> line = GetLine(reader, lineFeed + 1, stackScratch, ref rented);
        rejection = line[lineFeed - 1] == (byte)'\r'
            ? ParseRequestLineContent(handler, line[..(lineFeed - 1)])
            : RequestRejection.InvalidRequestLine;
        ReturnScratch(rented);
        if (rejection != RequestRejection.None)
        {
            return ParseResult.Rejected;
        }

        reader.Advance(lineFeed + 1);
        return ParseResult.Complete;
    }

    /// <summary>
    /// Parses every whole header line buffered, calling the handler for each; Complete once the empty line that
    /// ends the section is consumed. Also used for chunked trailers. On Incomplete the reader stands after the
    /// last whole field line delivered and <paramref name="state"/> counts the lines delivered.
    /// </summary>
    /// <remarks>
    /// The hot loop of the parser. A line not split by <see cref="TrySplitFieldLine"/> goes to <see cref="ParseFieldLine"/>,
    /// which holds the scratch buffer: a method with both a loop and a stackalloc is compiled once, fully optimised but
    /// without tiering's profile (no on-stack replacement with a stackalloc), so the stackalloc stays out of this loop.
    /// </remarks>
    public ParseResult ParseHeaders<THandler>(THandler handler, ref SequenceReader<byte> reader, ref HeaderParsingState state, out RequestRejection rejection)
        where THandler : IHttpHeadersHandler
    {
        rejection = RequestRejection.None;
        while (reader.TryPeek(out byte first))
        {
            if (first == (byte)'\r')
            {
                // The empty line that ends the section, or a bare CR.
                if (!reader.TryPeek(1, out byte second))
                {
                    return ParseResult.Incomplete;
                }

                if (second != (byte)'\n')
                {
                    return Reject(RequestRejection.InvalidHeaderLine, out rejection);
                }

                reader.Advance(2);
                return ParseResult.Complete;
            }

            // Decided on the line's first byte, so that a truncated input is rejected the same way.
            rejection = state.HeaderCount >= Limits.MaxRequestHeaderCount ? RequestRejection.TooManyHeaders
                : first == (byte)'\n' ? RequestRejection.InvalidHeaderLine
                : HttpCharacters.IsWhitespace(first) ? RequestRejection.ObsoleteLineFolding
                : RequestRejection.None;
            if (rejection != RequestRejection.None)
            {
                return ParseResult.Rejected;
            }

            long lineBudget = Limits.MaxRequestHeaderLineSize + 1L;
            long totalBudget = (long)Limits.MaxRequestHeadersTotalSize - state.TotalSize - 1;
            if (TrySplitFieldLine(reader.UnreadSpan, Math.Min(lineBudget, totalBudget), out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value, out int length))
            {
                handler.OnHeader(name, value);
                state.HeaderCount++;
                state.TotalSize += length;
                reader.Advance(length);
                continue;
            }

            ParseResult lineResult = ParseFieldLine(handler, ref reader, ref state, lineBudget, totalBudget, out rejection);
            if (lineResult != ParseResult.Complete)
            {
                return lineResult;
            }
        }

        return ParseResult.Incomplete;
    }

    /// <summary>
    /// One field line in general: Complete when it was delivered (the reader stands after it), Incomplete when its LF
    /// is not buffered yet, Rejected with the reason. The line may cross segments: it is then copied to scratch first.
    /// </summary>
    [SkipLocalsInit]
    private static ParseResult ParseFieldLine<THandler>(THandler handler, ref SequenceReader<byte> reader, ref HeaderParsingState state, long lineBudget, long totalBudget, out RequestRejection rejection)
        where THandler : IHttpHeadersHandler
    {
        int lineFeed = FindLineFeed(reader, Math.Min(lineBudget, totalBudget));
        if (lineFeed < 0)
        {
            rejection = lineFeed == NoLineFeed ? RequestRejection.None
                : totalBudget < lineBudget ? RequestRejection.HeadersTooLarge : RequestRejection.HeaderLineTooLong;
            return lineFeed == NoLineFeed ? ParseResult.Incomplete : ParseResult.Rejected;
        }

        Span<byte> stackScratch = stackalloc byte[StackScratchSize];
        byte[]? rented = null;
        ReadOnlySpan<byte> line = GetLine(reader, lineFeed + 1, stackScratch, ref rented);
        scoped ReadOnlySpan<byte> name = default, value = default;
        rejection = line[lineFeed - 1] != (byte)'\r'
            ? RequestRejection.InvalidHeaderLine
            : SplitField(line[..(lineFeed - 1)], out name, out value);
        if (rejection == RequestRejection.None)
        {
            handler.OnHeader(name, value);
            state.HeaderCount++;
            state.TotalSize += lineFeed + 1;
            reader.Advance(lineFeed + 1);
        }

        ReturnScratch(rented);
        return rejection == RequestRejection.None ? ParseResult.Complete : ParseResult.Rejected;
    }

    /// <summary>
    /// The common case in one pass: a valid field line, CRLF included, wholly in <paramref name="span"/> with its LF at
    /// most at <paramref name="maxIndex"/>. The name is the run of tchar before the first ':'; the search for a byte no
    /// field value may hold finds the line's CR, so the LF search and the value check are one scan. False for anything
    /// else (an invalid, incomplete, too long or segment-crossing line): the general path below decides it, and since
    /// it accepts exactly the lines this accepts, with the same name and value, the result never depends on the path.
    /// </summary>
    private static bool TrySplitFieldLine(ReadOnlySpan<byte> span, long maxIndex, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value, out int length)
    {
        name = value = default;
        length = 0;
        span = span[..(int)Math.Min(span.Length, Math.Max(maxIndex + 1, 0))];
        int colon = HttpCharacters.TokenPrefixLength(span);
        if (colon == 0 || colon == span.Length || span[colon] != (byte)':')
        {
            return false;
        }

        ReadOnlySpan<byte> rest = span[(colon + 1)..];
        int end = rest.IndexOfAny(HttpCharacters.InvalidFieldValue);
        if (end < 0 || end + 1 >= rest.Length || rest[end] != (byte)'\r' || rest[end + 1] != (byte)'\n')
        {
            return false;
        }

        name = span[..colon];
        value = HttpCharacters.TrimWhitespace(rest[..end]);
        length = colon + end + 3;
        return true;
    }

    /// <summary>
    /// Splits <c>field-name ":" OWS field-value OWS</c> (the line without its CRLF) and validates both parts.
    /// </summary>
    private static RequestRejection SplitField(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        int colon = line.IndexOf((byte)':');
        name = colon > 0 ? line[..colon] : default;
        value = colon > 0 ? HttpCharacters.TrimWhitespace(line[(colon + 1)..]) : default;
        if (colon < 0)
        {
            return RequestRejection.InvalidHeaderLine;
        }

        if (!HttpCharacters.IsToken(name))
        {
            return colon > 0 && HttpCharacters.IsWhitespace(line[colon - 1])
                ? RequestRejection.WhitespaceBeforeColon
                : RequestRejection.InvalidHeaderName;
        }

        // The trimmed value holds no CTL iff the untrimmed rest of the line holds none but SP/HTAB.
        return line[(colon + 1)..].ContainsAny(HttpCharacters.InvalidFieldValue)
            ? RequestRejection.InvalidHeaderValue
            : RequestRejection.None;
    }

    /// <summary>Consumes the empty lines (CRLF) before a request line; Complete when a non-empty line begins.</summary>
    private static ParseResult SkipEmptyLines(ref SequenceReader<byte> reader, out RequestRejection rejection)
    {
        rejection = RequestRejection.None;
        while (reader.TryPeek(out byte first) && first is (byte)'\r' or (byte)'\n')
        {
            if (first == (byte)'\n')
            {
                return Reject(RequestRejection.InvalidRequestLine, out rejection);
            }

            if (!reader.TryPeek(1, out byte second))
            {
                return ParseResult.Incomplete;
            }

            if (second != (byte)'\n')
            {
                return Reject(RequestRejection.InvalidRequestLine, out rejection);
            }

            reader.Advance(2);
        }

        return reader.End ? ParseResult.Incomplete : ParseResult.Complete;
    }

    private static ParseResult Reject(RequestRejection reason, out RequestRejection rejection)
    {
        rejection = reason;
        return ParseResult.Rejected;
    }
}

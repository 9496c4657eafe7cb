using System.Buffers;
using System.Text;
using EventCore.Server.Http1;

namespace EventCore.Server.Tests;

/// <summary>A segment of a hand-built multi-segment <see cref="ReadOnlySequence{T}"/>.</summary>
internal sealed class TestSegment : ReadOnlySequenceSegment<byte>
{
    public TestSegment(ReadOnlyMemory<byte> memory) => Memory = memory;

    public TestSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new TestSegment(memory) { RunningIndex = RunningIndex + Memory.Length };
        Next = next;
        return next;
    }
}

/// <summary>Records what the parser hands over, as a transcript that different feeding strategies must agree on.</summary>
internal sealed class RecordingHandler : IHttpRequestLineHandler, IHttpHeadersHandler
{
    public RequestFraming Framing;

    public string? Method { get; private set; }

    public string Target { get; private set; } = "";

    public string Path { get; private set; } = "";

    public string Query { get; private set; } = "";

    public string Authority { get; private set; } = "";

    public HttpVersion Version { get; private set; }

    public RequestTargetForm Form { get; private set; }

    public List<(string Name, string Value)> Headers { get; } = [];

    public void OnRequestLine(in RequestLine requestLine)
    {
        Method = requestLine.Method;
        Target = ParserTestSupport.Text(requestLine.Target);
        Path = ParserTestSupport.Text(requestLine.Path);
        Query = ParserTestSupport.Text(requestLine.Query);
        Authority = ParserTestSupport.Text(requestLine.Authority);
        Version = requestLine.Version;
        Form = requestLine.Form;
    }

    public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Headers.Add((ParserTestSupport.Text(name), ParserTestSupport.Text(value)));
        Framing.OnHeader(name, value);
    }

    public string Transcript()
        => $"{Method} {Target} path={Path} query={Query} authority={Authority} {Version} {Form} | "
            + string.Join(" | ", Headers.Select(h => $"{h.Name}: {h.Value}"));
}

/// <summary>What parsing a request head gave, and where.</summary>
internal sealed record HeadOutcome(ParseResult Result, RequestRejection Rejection, string Transcript, long Consumed)
{
    public RecordingHandler Handler { get; init; } = new();

    /// <summary>The framing decision once the head was complete.</summary>
    public RequestRejection FramingRejection { get; init; }

    public RequestBodyKind BodyKind { get; init; }

    public long ContentLength { get; init; }
}

internal static class ParserTestSupport
{
    /// <summary>Latin-1: every char of a test string is one byte, so "\x80" is the byte 0x80.</summary>
    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    public static string Text(ReadOnlySequence<byte> bytes) => Encoding.Latin1.GetString(bytes.ToArray());

    /// <summary>"Result Rejection", for comparing with theory data (the enums are internal, theory parameters public).</summary>
    public static string Describe(HeadOutcome outcome) => $"{outcome.Result} {outcome.Rejection}";

    /// <summary>A sequence with one segment per part (empty parts make empty segments).</summary>
    public static ReadOnlySequence<byte> Sequence(params ReadOnlyMemory<byte>[] parts)
    {
        var first = new TestSegment(parts[0]);
        TestSegment last = first;
        foreach (ReadOnlyMemory<byte> part in parts.AsSpan(1))
        {
            last = last.Append(part);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>The input cut at <paramref name="at"/> into two segments.</summary>
    public static ReadOnlySequence<byte> Split(byte[] input, int at) => Sequence(input.AsMemory(0, at), input.AsMemory(at));

    /// <summary>Parses the request line and then the header section from one buffer, as far as it goes.</summary>
    public static HeadOutcome ParseHead(HttpParser parser, ReadOnlySequence<byte> input)
    {
        var handler = new RecordingHandler();
        var reader = new SequenceReader<byte>(input);
        HeaderParsingState state = default;
        bool lineDone = false;
        (ParseResult result, RequestRejection rejection) = ParseHeadStep(parser, handler, ref reader, ref state, ref lineDone);
        return Outcome(handler, result, rejection, reader.Consumed);
    }

    /// <summary>
    /// Feeds the input <paramref name="step"/> bytes at a time as a connection would: the unconsumed bytes are kept,
    /// the next ones appended, and the parser called again on the whole buffered rest.
    /// </summary>
    public static HeadOutcome ParseGrowing(HttpParser parser, byte[] input, int step = 1)
    {
        var handler = new RecordingHandler();
        HeaderParsingState state = default;
        bool lineDone = false;
        var pending = new List<byte>();
        long consumedTotal = 0;
        for (int offset = 0; offset < input.Length; offset += step)
        {
            pending.AddRange(input.AsSpan(offset, Math.Min(step, input.Length - offset)));
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(pending.ToArray()));
            (ParseResult result, RequestRejection rejection) = ParseHeadStep(parser, handler, ref reader, ref state, ref lineDone);
            consumedTotal += reader.Consumed;
            pending.RemoveRange(0, (int)reader.Consumed);
            if (result != ParseResult.Incomplete)
            {
                return Outcome(handler, result, rejection, consumedTotal);
            }
        }

        return Outcome(handler, ParseResult.Incomplete, RequestRejection.None, consumedTotal);
    }

    private static (ParseResult, RequestRejection) ParseHeadStep(HttpParser parser, RecordingHandler handler, ref SequenceReader<byte> reader, ref HeaderParsingState state, ref bool lineDone)
    {
        RequestRejection rejection = RequestRejection.None;
        if (!lineDone)
        {
            ParseResult lineResult = parser.ParseRequestLine(handler, ref reader, out rejection);
            if (lineResult != ParseResult.Complete)
            {
                return (lineResult, rejection);
            }

            lineDone = true;
        }

        return (parser.ParseHeaders(handler, ref reader, ref state, out rejection), rejection);
    }

    private static HeadOutcome Outcome(RecordingHandler handler, ParseResult result, RequestRejection rejection, long consumed)
    {
        RequestRejection framing = RequestRejection.None;
        RequestBodyKind kind = RequestBodyKind.None;
        long length = 0;
        if (result == ParseResult.Complete)
        {
            framing = handler.Framing.Complete(handler.Version, handler.Form, out kind, out length);
        }

        return new HeadOutcome(result, rejection, result == ParseResult.Complete ? handler.Transcript() : "", consumed)
        {
            Handler = handler,
            FramingRejection = framing,
            BodyKind = kind,
            ContentLength = length,
        };
    }

    /// <summary>
    /// Feeds <paramref name="input"/> whole, at every two-segment split, with an empty middle segment, one and seven
    /// bytes at a time (as a connection does), and as every truncated prefix; every way must agree with the whole.
    /// </summary>
    public static T CheckAllWays<T>(byte[] input, Func<ReadOnlySequence<byte>, T> parse, Func<byte[], int, T> parseGrowing, Action<T, T, string> assertSame, Action<T, T, int> assertPrefix)
    {
        T whole = parse(new ReadOnlySequence<byte>(input));
        for (int at = 0; at <= input.Length; at++)
        {
            assertSame(whole, parse(Split(input, at)), $"split at {at}");
        }

        assertSame(whole, parse(Sequence(input.AsMemory(0, input.Length / 2), ReadOnlyMemory<byte>.Empty, input.AsMemory(input.Length / 2))), "empty middle segment");
        assertSame(whole, parseGrowing(input, 1), "one byte at a time");
        assertSame(whole, parseGrowing(input, 7), "seven bytes at a time");
        for (int length = 0; length < input.Length; length++)
        {
            assertPrefix(whole, parse(new ReadOnlySequence<byte>(input, 0, length)), length);
        }

        return whole;
    }

    /// <summary>
    /// Parses a request head every way (<see cref="CheckAllWays"/>): a truncated prefix must be Incomplete or give
    /// the same rejection as the whole. Returns the whole result.
    /// </summary>
    public static HeadOutcome CheckHeadAllWays(string text, HttpParser? parser = null)
    {
        HttpParser p = parser ?? new HttpParser(HttpParserLimits.Default);
        return CheckAllWays(Bytes(text), input => ParseHead(p, input), (input, step) => ParseGrowing(p, input, step), AssertSame, AssertPrefix);
    }

    private static void AssertPrefix(HeadOutcome whole, HeadOutcome prefix, int length)
    {
        bool sameRejection = prefix.Result == ParseResult.Rejected && prefix.Rejection == whole.Rejection && whole.Result == ParseResult.Rejected;
        bool ok = sameRejection || prefix.Result == ParseResult.Incomplete || (prefix.Result == ParseResult.Complete && whole.Result == ParseResult.Complete);
        Assert.True(ok, $"prefix of {length} bytes gave {prefix.Result} {prefix.Rejection}; whole gave {whole.Result} {whole.Rejection}");
    }

    private static void AssertSame(HeadOutcome expected, HeadOutcome actual, string how)
    {
        Assert.True(expected.Result == actual.Result && expected.Rejection == actual.Rejection,
            $"{how}: {actual.Result} {actual.Rejection}, whole gave {expected.Result} {expected.Rejection}");
        Assert.Equal(expected.Transcript, actual.Transcript);
        if (expected.Result != ParseResult.Rejected)
        {
            Assert.Equal(expected.Consumed, actual.Consumed);
        }

        Assert.Equal((expected.FramingRejection, expected.BodyKind, expected.ContentLength), (actual.FramingRejection, actual.BodyKind, actual.ContentLength));
    }
}

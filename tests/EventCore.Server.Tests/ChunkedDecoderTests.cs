using System.Buffers;
using EventCore.Server.Http1;
using static EventCore.Server.Tests.ParserTestSupport;

namespace EventCore.Server.Tests;

/// <summary>
/// The chunked transfer coding (RFC 9112 §7.1). Every body is decoded whole, at every two-segment split, one byte
/// at a time (keeping the unconsumed bytes, as the connection does) and as every truncated prefix.
/// </summary>
public partial class ChunkedDecoderTests
{
    /// <summary>Trailer section ≤ 100 bytes, ≤ 3 fields, field line ≤ 32.</summary>
    private static readonly HttpParser s_small = new(new HttpParserLimits(32, 32, 100, 3));

    [Theory]
    [InlineData("0\r\n\r\n", "")]
    [InlineData("5\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("a\r\n0123456789\r\n0\r\n\r\n", "0123456789")]
    [InlineData("A\r\n0123456789\r\n0\r\n\r\n", "0123456789")]
    [InlineData("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world")]
    [InlineData("1\r\n\r\r\n1\r\n\n\r\n0\r\n\r\n", "\r\n")]
    [InlineData("3\r\n\0\u00ff\u0080\r\n0\r\n\r\n", "\0\u00ff\u0080")]
    [InlineData("0005\r\nhello\r\n000\r\n\r\n", "hello")]
    [InlineData("0000000000000001\r\nx\r\n0\r\n\r\n", "x")]
    [InlineData("1e\r\nall your base are belong to us\r\n0\r\n\r\n", "all your base are belong to us")]
    // Extensions: *( BWS ";" BWS ext-name [ BWS "=" BWS ( token / quoted-string ) ] ).
    [InlineData("5;name\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5;name=value\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5;a=1;b;c=\"2\"\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5 ; a = b ; c\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5\t;\ta\t=\tb\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5;n=\"quoted value; with = signs\"\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5;n=\"esc\\\"aped\\\\\"\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5;n=\"\"\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5;n=\"obs\u0080\u00ff\ttab\"\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5;!#$%&'*+-.^_`|~=!#$%&'*+-.^_`|~\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5\r\nhello\r\n0;last=true\r\n\r\n", "hello")]
    public void Valid_body_is_decoded(string body, string expected)
    {
        ChunkedOutcome outcome = CheckChunkedAllWays(body);

        Assert.Equal((ChunkedStatus.Complete, expected, (long)body.Length), (outcome.Status, outcome.Data, outcome.Consumed));
    }

    [Theory]
    [InlineData("0\r\nExpires: never\r\n\r\n", "Expires: never")]
    [InlineData("5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Empty:\r\nX-Spaced:  a b \r\n\r\n", "X-Checksum: abc | X-Empty:  | X-Spaced: a b")]
    [InlineData("0\r\nContent-Length: 5\r\n\r\n", "Content-Length: 5")]
    public void Trailer_fields_are_delivered(string body, string expected)
    {
        ChunkedOutcome outcome = CheckChunkedAllWays(body);

        Assert.Equal((ChunkedStatus.Complete, expected), (outcome.Status, outcome.Trailers));
    }

    [Theory]
    // chunk-size: 1*HEXDIG, at most long.MaxValue.
    [InlineData("\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("x\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("g\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("-1\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("+1\r\nx\r\n0\r\n\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("0x10\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("0X10\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData(" 5\r\nhello\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("\t5\r\nhello\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("5x\r\nhello\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("5,5\r\nhello\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("5=1\r\nhello\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("5\0\r\nhello\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("ffffffffffffffffff\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("10000000000000000\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("8000000000000000\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("fffffffffffffffff\r\n", nameof(RequestRejection.InvalidChunkSize))]
    // Found by the differential fuzzer: more than 16 digits, even when leading zeros keep the value small.
    [InlineData("00000000000000000000000001\r\nx\r\n0\r\n\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("00000000000000001\r\nx\r\n0\r\n\r\n", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("5\r\nhello\r\nzz\r\n", nameof(RequestRejection.InvalidChunkSize))]
    // chunk-ext grammar, bare LF, bare CR.
    [InlineData("5\nhello\r\n0\r\n\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("2;\nxx\r\n4c\r\n0\r\n\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5\rhello\r\n0\r\n\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5\r\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5 \r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5\t\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;;a\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a \r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a=\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a= \r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;=b\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a b\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a=b c\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a=b=c\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a==b\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a\0\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a=b\0\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a=b\rc\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a=\"unterminated\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a=\"x\"y\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a=\"nul\0\"\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a=\"del\u007f\"\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a=\"esc\\\u0001\"\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a=\"trailing\\\"\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a=b\u0080\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("5;a(=b\r\nhello\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("0;\n\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("0\n\r\n", nameof(RequestRejection.InvalidChunkExtension))]
    // Chunk data is followed by exactly CRLF.
    [InlineData("5\r\nhelloX\r\n0\r\n\r\n", nameof(RequestRejection.MissingChunkDataTerminator))]
    [InlineData("5\r\nhello\n0\r\n\r\n", nameof(RequestRejection.MissingChunkDataTerminator))]
    [InlineData("5\r\nhello\rX0\r\n\r\n", nameof(RequestRejection.MissingChunkDataTerminator))]
    [InlineData("5\r\nhello\r\r\n0\r\n\r\n", nameof(RequestRejection.MissingChunkDataTerminator))]
    [InlineData("5\r\nhello world\r\n0\r\n\r\n", nameof(RequestRejection.MissingChunkDataTerminator))]
    [InlineData("5\r\nhell\r\n0\r\n\r\n", nameof(RequestRejection.MissingChunkDataTerminator))]
    [InlineData("5\r\nhello 0\r\n\r\n", nameof(RequestRejection.MissingChunkDataTerminator))]
    // Trailers follow the header-field rules.
    [InlineData("0\r\nX : y\r\n\r\n", nameof(RequestRejection.WhitespaceBeforeColon))]
    [InlineData("0\r\n y\r\n\r\n", nameof(RequestRejection.ObsoleteLineFolding))]
    [InlineData("0\r\nX: a\r\n b\r\n\r\n", nameof(RequestRejection.ObsoleteLineFolding))]
    [InlineData("0\r\nX: a\0\r\n\r\n", nameof(RequestRejection.InvalidHeaderValue))]
    [InlineData("0\r\nX y\r\n\r\n", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("0\r\n\n", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("0\r\n\rX", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("0\r\nX: y\n\r\n", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("0\r\nX(: y\r\n\r\n", nameof(RequestRejection.InvalidHeaderName))]
    public void Invalid_body_is_rejected(string body, string expected)
    {
        ChunkedOutcome outcome = CheckChunkedAllWays(body);

        Assert.Equal($"Rejected {expected}", $"{outcome.Status} {outcome.Rejection}");
    }

    [Theory]
    [InlineData("0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", nameof(RequestRejection.TooManyHeaders))]
    [InlineData("0\r\nX: vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\r\n\r\n", nameof(RequestRejection.HeaderLineTooLong))]
    [InlineData("0\r\nA: vvvvvvvvvvvvvvvvvvvvvvvvvvvvv\r\nB: vvvvvvvvvvvvvvvvvvvvvvvvvvvvv\r\nC: vvvvvvvvvvvvvvvvvvvvvvvvvvvvv\r\n\r\n", nameof(RequestRejection.HeadersTooLarge))]
    public void Trailer_section_obeys_the_header_limits(string body, string expected)
    {
        ChunkedOutcome outcome = CheckChunkedAllWays(body, s_small);

        Assert.Equal($"Rejected {expected}", $"{outcome.Status} {outcome.Rejection}");
        Assert.Equal(431, outcome.Rejection.StatusCode());
    }

    [Fact]
    public void Extensions_up_to_the_cap_are_accepted()
    {
        string extensions = ";" + new string('e', ChunkedDecoder.MaxChunkSizeLineLength - 2);

        ChunkedOutcome outcome = CheckChunkedAllWays("1" + extensions + "\r\nx\r\n0\r\n\r\n");

        Assert.Equal((ChunkedStatus.Complete, "x"), (outcome.Status, outcome.Data));
    }

    [Theory]
    [InlineData("1;", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("1;a=", nameof(RequestRejection.InvalidChunkExtension))]
    [InlineData("", nameof(RequestRejection.InvalidChunkSize))]
    [InlineData("00000000000000000", nameof(RequestRejection.InvalidChunkSize))]
    public void Size_line_over_the_cap_is_rejected_before_its_end_arrives(string start, string expected)
    {
        string line = start + new string(start.Length == 0 || start[0] == '0' ? '0' : 'e', ChunkedDecoder.MaxChunkSizeLineLength + 2 - start.Length);

        ChunkedOutcome outcome = CheckChunkedAllWays(line + "\r\nx\r\n0\r\n\r\n");
        ChunkedOutcome truncated = Decode(s_default, new ReadOnlySequence<byte>(Bytes(line)));

        Assert.Equal($"Rejected {expected}", $"{outcome.Status} {outcome.Rejection}");
        Assert.Equal($"Rejected {expected}", $"{truncated.Status} {truncated.Rejection}");
    }

    [Fact]
    public void Data_is_handed_out_before_the_whole_chunk_arrives()
    {
        var decoder = new ChunkedDecoder(s_default);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes("a\r\n01234")));

        ChunkedStatus first = decoder.Decode(ref reader, new RecordingHandler(), out ReadOnlySequence<byte> data, out _);
        ChunkedStatus second = decoder.Decode(ref reader, new RecordingHandler(), out ReadOnlySequence<byte> none, out _);

        Assert.Equal((ChunkedStatus.Data, "01234", 5L), (first, Text(data), decoder.RemainingInChunk));
        Assert.Equal((ChunkedStatus.NeedMoreData, 0L, 8L), (second, none.Length, reader.Consumed));
    }

    [Fact]
    public void Largest_chunk_size_is_accepted()
    {
        var decoder = new ChunkedDecoder(s_default);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes("7fffffffffffffff\r\nabc")));

        ChunkedStatus status = decoder.Decode(ref reader, new RecordingHandler(), out ReadOnlySequence<byte> data, out _);

        Assert.Equal((ChunkedStatus.Data, "abc", long.MaxValue - 3), (status, Text(data), decoder.RemainingInChunk));
    }

    [Fact]
    public void Decoding_stops_at_the_end_of_the_body_before_the_next_request()
    {
        ChunkedOutcome outcome = Decode(s_default, new ReadOnlySequence<byte>(Bytes("3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n")));

        Assert.Equal((ChunkedStatus.Complete, "abc", 13L), (outcome.Status, outcome.Data, outcome.Consumed));
    }

    [Fact]
    public void Rejection_is_sticky_until_reset()
    {
        var decoder = new ChunkedDecoder(s_default);
        var handler = new RecordingHandler();
        var bad = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes("x\r\n")));
        Assert.Equal(ChunkedStatus.Rejected, decoder.Decode(ref bad, handler, out _, out _));

        var good = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes("0\r\n\r\n")));
        Assert.Equal(ChunkedStatus.Rejected, decoder.Decode(ref good, handler, out _, out RequestRejection rejection));
        Assert.Equal((RequestRejection.InvalidChunkSize, 0L), (rejection, good.Consumed));

        decoder.Reset();
        Assert.Equal(ChunkedStatus.Complete, decoder.Decode(ref good, handler, out _, out rejection));
        Assert.Equal(RequestRejection.None, rejection);
        Assert.Equal(ChunkedStatus.Complete, decoder.Decode(ref good, handler, out _, out _));
    }

    [Fact]
    public void Decoding_a_chunked_body_allocates_nothing()
    {
        byte[] body = Bytes("5;ext=\"v\"\r\nhello\r\n6\r\n world\r\n10\r\n0123456789abcdef\r\n0\r\nX-Sum: 1\r\n\r\n");
        ReadOnlySequence<byte> sequence = Sequence(body.AsMemory(0, 7), body.AsMemory(7, 20), body.AsMemory(27));
        var decoder = new ChunkedDecoder(s_default);
        var handler = new CountingHandler();
        long DecodeAll()
        {
            decoder.Reset();
            var reader = new SequenceReader<byte>(sequence);
            long length = 0;
            while (decoder.Decode(ref reader, handler, out ReadOnlySequence<byte> data, out _) == ChunkedStatus.Data)
            {
                length += data.Length;
            }

            return length;
        }

        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(27, DecodeAll());
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            DecodeAll();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1100, handler.Count);
    }

    private sealed class CountingHandler : IHttpHeadersHandler
    {
        public int Count { get; private set; }

        public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => Count++;
    }
}

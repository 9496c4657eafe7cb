using System.Buffers;
using EventCore.Server.Http1;
using static EventCore.Server.Tests.ParserTestSupport;

namespace EventCore.Server.Tests;

/// <summary>The header section (RFC 9112 §5, RFC 9110 §5.5) and its limits.</summary>
public partial class HttpParserTests
{
    private const string RequestLine = "GET / HTTP/1.1\r\n";

    [Theory]
    [InlineData("Host: a\r\n", "Host: a")]
    [InlineData("Host:a\r\n", "Host: a")]
    [InlineData("Host: a\r\nX-Empty:\r\n", "Host: a | X-Empty: ")]
    [InlineData("Host: a\r\nX-Empty: \t \r\n", "Host: a | X-Empty: ")]
    [InlineData("Host: a\r\nX:   spaced  value \t \r\n", "Host: a | X: spaced  value")]
    [InlineData("Host: a\r\nX: \ta\tb c\t\r\n", "Host: a | X: a\tb c")]
    [InlineData("Host: a\r\nX: a: b:c\r\n", "Host: a | X: a: b:c")]
    [InlineData("Host: a\r\nX: caf\u00c3\u00a9\r\n", "Host: a | X: caf\u00c3\u00a9")]
    [InlineData("Host: a\r\nX: \u0080\u00ff\r\n", "Host: a | X: \u0080\u00ff")]
    [InlineData("Host: a\r\nX: !\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~\r\n", "Host: a | X: !\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~")]
    [InlineData("Host: a\r\n!#$%&'*+-.^_`|~09azAZ: v\r\n", "Host: a | !#$%&'*+-.^_`|~09azAZ: v")]
    [InlineData("Host: a\r\nAccept: a\r\naccept: b\r\nACCEPT: c\r\n", "Host: a | Accept: a | accept: b | ACCEPT: c")]
    [InlineData("hOsT: a\r\nCookie: a=1; b=2\r\n", "hOsT: a | Cookie: a=1; b=2")]
    [InlineData("Host: a\r\nX: \"quoted \\\" value\"\r\n", "Host: a | X: \"quoted \\\" value\"")]
    public void Valid_header_fields_are_delivered_trimmed_in_order(string fields, string expected)
    {
        HeadOutcome outcome = CheckHeadAllWays(RequestLine + fields + "\r\n");

        Assert.Equal(ParseResult.Complete, outcome.Result);
        Assert.Equal("GET / path=/ query= authority= Http11 Origin | " + expected, outcome.Transcript);
    }

    [Fact]
    public void Request_without_header_fields_is_complete()
    {
        HeadOutcome outcome = CheckHeadAllWays("GET / HTTP/1.0\r\n\r\n");

        Assert.Equal((ParseResult.Complete, 18L, RequestRejection.None), (outcome.Result, outcome.Consumed, outcome.FramingRejection));
        Assert.Empty(outcome.Handler.Headers);
    }

    [Theory]
    // Field names: a token, and nothing between it and the colon.
    [InlineData("Host : a\r\n", nameof(RequestRejection.WhitespaceBeforeColon))]
    [InlineData("Host\t: a\r\n", nameof(RequestRejection.WhitespaceBeforeColon))]
    [InlineData("Transfer-Encoding : chunked\r\n", nameof(RequestRejection.WhitespaceBeforeColon))]
    [InlineData(": a\r\n", nameof(RequestRejection.InvalidHeaderName))]
    [InlineData("X Y: a\r\n", nameof(RequestRejection.InvalidHeaderName))]
    [InlineData("X(: a\r\n", nameof(RequestRejection.InvalidHeaderName))]
    [InlineData("X\0: a\r\n", nameof(RequestRejection.InvalidHeaderName))]
    [InlineData("X\u00e9: a\r\n", nameof(RequestRejection.InvalidHeaderName))]
    [InlineData("\"X\": a\r\n", nameof(RequestRejection.InvalidHeaderName))]
    [InlineData("Transfer-Encoding\u000b: chunked\r\n", nameof(RequestRejection.InvalidHeaderName))]
    [InlineData("X\ra: b\r\n", nameof(RequestRejection.InvalidHeaderName))]
    [InlineData("Host a\r\n", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("Host\r\n", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("Host: a\r\nno-colon-here\r\n", nameof(RequestRejection.InvalidHeaderLine))]
    // obs-fold and whitespace before the first field.
    [InlineData(" Host: a\r\n", nameof(RequestRejection.ObsoleteLineFolding))]
    [InlineData("\tHost: a\r\n", nameof(RequestRejection.ObsoleteLineFolding))]
    [InlineData("Host: a\r\nX: b\r\n c\r\n", nameof(RequestRejection.ObsoleteLineFolding))]
    [InlineData("Host: a\r\nX: b\r\n\tc\r\n", nameof(RequestRejection.ObsoleteLineFolding))]
    [InlineData("Host: a\r\nTransfer-Encoding:\r\n chunked\r\n", nameof(RequestRejection.ObsoleteLineFolding))]
    // Field values: no CTL but HTAB.
    [InlineData("Host: a\r\nX: a\0b\r\n", nameof(RequestRejection.InvalidHeaderValue))]
    [InlineData("Host: a\r\nX: \0\r\n", nameof(RequestRejection.InvalidHeaderValue))]
    [InlineData("Host: a\r\nX: a\u0001b\r\n", nameof(RequestRejection.InvalidHeaderValue))]
    [InlineData("Host: a\r\nX: a\u001fb\r\n", nameof(RequestRejection.InvalidHeaderValue))]
    [InlineData("Host: a\r\nX: a\u007fb\r\n", nameof(RequestRejection.InvalidHeaderValue))]
    [InlineData("Host: a\r\nX: a\rb\r\n", nameof(RequestRejection.InvalidHeaderValue))]
    [InlineData("Host: a\r\nX: ab\r\r\n", nameof(RequestRejection.InvalidHeaderValue))]
    [InlineData("Host: a\r\nX: \u000bab\r\n", nameof(RequestRejection.InvalidHeaderValue))]
    [InlineData("Host: a\r\nX: ab\u000c\r\n", nameof(RequestRejection.InvalidHeaderValue))]
    [InlineData("Host: a\r\nTransfer-Encoding: chunked\u000b\r\n", nameof(RequestRejection.InvalidHeaderValue))]
    [InlineData("Host: a\r\nTransfer-Encoding: \u000bchunked\r\n", nameof(RequestRejection.InvalidHeaderValue))]
    [InlineData("Host: a\r\nContent-Length: 5\0\r\n", nameof(RequestRejection.InvalidHeaderValue))]
    // Bare LF and bare CR as line ends.
    [InlineData("Host: a\nX: b\r\n", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("Host: a\r\nX: b\n", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("Host: a\r\n\n", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("Host: a\r\n\rX: b\r\n", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("Host: a\r\n\r\r\n", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("\n", nameof(RequestRejection.InvalidHeaderLine))]
    public void Invalid_header_field_is_rejected(string fields, string expected)
    {
        HeadOutcome outcome = CheckHeadAllWays(RequestLine + fields + "\r\n");

        Assert.Equal($"Rejected {expected}", Describe(outcome));
    }

    [Fact]
    public void Incomplete_header_section_stands_after_the_last_whole_field()
    {
        var parser = new HttpParser(HttpParserLimits.Default);
        var handler = new RecordingHandler();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes("Host: a\r\nAccept: */*\r\nX-Par")));
        HeaderParsingState state = default;

        ParseResult result = parser.ParseHeaders(handler, ref reader, ref state, out RequestRejection rejection);

        Assert.Equal((ParseResult.Incomplete, RequestRejection.None, 22L), (result, rejection, reader.Consumed));
        Assert.Equal((2, 22), (state.HeaderCount, state.TotalSize));
        Assert.Equal(2, handler.Headers.Count);
    }

    [Fact]
    public void Header_section_stops_after_the_empty_line()
    {
        var parser = new HttpParser(HttpParserLimits.Default);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes("Host: a\r\n\r\nbody")));
        HeaderParsingState state = default;

        ParseResult result = parser.ParseHeaders(new RecordingHandler(), ref reader, ref state, out _);

        Assert.Equal((ParseResult.Complete, 11L), (result, reader.Consumed));
    }
}

using System.Buffers;
using EventCore.Server.Http1;
using static EventCore.Server.Tests.ParserTestSupport;

namespace EventCore.Server.Tests;

/// <summary>
/// Limits: 414 for a long request line, 431 for a long field line, a large section or too many fields — decided
/// from the first bytes, so a truncated input is refused as soon as the limit is passed, and the same way.
/// </summary>
public partial class HttpParserTests
{
    /// <summary>Request line ≤ 32, field line ≤ 32, section ≤ 100 bytes, ≤ 3 fields.</summary>
    private static readonly HttpParser s_small = new(new HttpParserLimits(32, 32, 100, 3));

    private static string Line(int length) => "GET /" + new string('a', length - 14) + " HTTP/1.1";

    private static string Field(char name, int length) => name + ": " + new string('v', length - 3);

    [Theory]
    [InlineData(14, nameof(ParseResult.Complete), nameof(RequestRejection.None))]
    [InlineData(32, nameof(ParseResult.Complete), nameof(RequestRejection.None))]
    [InlineData(33, nameof(ParseResult.Rejected), nameof(RequestRejection.RequestTargetTooLong))]
    [InlineData(34, nameof(ParseResult.Rejected), nameof(RequestRejection.RequestTargetTooLong))]
    [InlineData(80, nameof(ParseResult.Rejected), nameof(RequestRejection.RequestTargetTooLong))]
    public void Request_line_longer_than_the_limit_is_414(int length, string result, string rejection)
    {
        HeadOutcome outcome = CheckHeadAllWays(Line(length) + "\r\nHost: h\r\n\r\n", s_small);

        Assert.Equal($"{result} {rejection}", Describe(outcome));
    }

    [Theory]
    [InlineData("GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("\r\n\r\nGET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("GET\0/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Request_line_over_the_limit_is_414_before_its_end_arrives(string prefix)
    {
        HeadOutcome outcome = ParseHead(s_small, new ReadOnlySequence<byte>(Bytes(prefix)));

        Assert.Equal((ParseResult.Rejected, RequestRejection.RequestTargetTooLong), (outcome.Result, outcome.Rejection));
    }

    [Theory]
    [InlineData(32, nameof(ParseResult.Complete), nameof(RequestRejection.None))]
    [InlineData(33, nameof(ParseResult.Rejected), nameof(RequestRejection.HeaderLineTooLong))]
    [InlineData(60, nameof(ParseResult.Rejected), nameof(RequestRejection.HeaderLineTooLong))]
    public void Field_line_longer_than_the_limit_is_431(int length, string result, string rejection)
    {
        HeadOutcome outcome = CheckHeadAllWays(RequestLine + Field('X', length) + "\r\n\r\n", s_small);

        Assert.Equal($"{result} {rejection}", Describe(outcome));
        Assert.Equal(431, outcome.Result == ParseResult.Rejected ? outcome.Rejection.StatusCode() : 431);
    }

    [Theory]
    [InlineData(32, 32, 30, nameof(ParseResult.Complete), nameof(RequestRejection.None))]
    [InlineData(32, 32, 31, nameof(ParseResult.Rejected), nameof(RequestRejection.HeadersTooLarge))]
    [InlineData(32, 32, 32, nameof(ParseResult.Rejected), nameof(RequestRejection.HeadersTooLarge))]
    [InlineData(10, 10, 32, nameof(ParseResult.Complete), nameof(RequestRejection.None))]
    public void Header_section_larger_than_the_limit_is_431(int first, int second, int third, string result, string rejection)
    {
        string fields = Field('A', first) + "\r\n" + Field('B', second) + "\r\n" + Field('C', third) + "\r\n";

        HeadOutcome outcome = CheckHeadAllWays(RequestLine + fields + "\r\n", s_small);

        Assert.Equal($"{result} {rejection}", Describe(outcome));
    }

    [Theory]
    [InlineData(3, nameof(ParseResult.Complete), nameof(RequestRejection.None))]
    [InlineData(4, nameof(ParseResult.Rejected), nameof(RequestRejection.TooManyHeaders))]
    [InlineData(9, nameof(ParseResult.Rejected), nameof(RequestRejection.TooManyHeaders))]
    public void More_fields_than_the_limit_is_431(int count, string result, string rejection)
    {
        string fields = string.Concat(Enumerable.Range(0, count).Select(i => $"X{i}: {i}\r\n"));

        HeadOutcome outcome = CheckHeadAllWays(RequestLine + fields + "\r\n", s_small);

        Assert.Equal($"{result} {rejection}", Describe(outcome));
    }

    [Theory]
    [InlineData("A: 1\r\nB: 2\r\nC: 3\r\nD", nameof(RequestRejection.TooManyHeaders))]
    [InlineData("A: 1\r\nB: 2\r\nC: 3\r\n\n", nameof(RequestRejection.TooManyHeaders))]
    [InlineData("X: vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv", nameof(RequestRejection.HeaderLineTooLong))]
    [InlineData("A: vvvvvvvvvvvvvvvvvvvvvvvvvvvvv\r\nB: vvvvvvvvvvvvvvvvvvvvvvvvvvvvv\r\nC: vvvvvvvvvvvvvvvvvvvvvvvvvvvvv", nameof(RequestRejection.HeadersTooLarge))]
    public void Header_limits_are_detected_before_the_line_ends(string fields, string expected)
    {
        HeadOutcome outcome = ParseHead(s_small, new ReadOnlySequence<byte>(Bytes(RequestLine + fields)));

        Assert.Equal($"Rejected {expected}", Describe(outcome));
    }

    [Fact]
    public void Default_limits_accept_an_8_KiB_request_line_and_answer_414_above()
    {
        Assert.Equal(ParseResult.Complete, CheckHeadAllWays(Line(8192) + "\r\nHost: h\r\n\r\n").Result);

        HeadOutcome outcome = CheckHeadAllWays(Line(8193) + "\r\nHost: h\r\n\r\n");

        Assert.Equal((RequestRejection.RequestTargetTooLong, 414), (outcome.Rejection, outcome.Rejection.StatusCode()));
    }

    [Fact]
    public void Default_limits_accept_an_8_KiB_field_line_and_answer_431_above()
    {
        Assert.Equal(ParseResult.Complete, CheckHeadAllWays(RequestLine + Field('X', 8192) + "\r\n\r\n").Result);

        HeadOutcome outcome = CheckHeadAllWays(RequestLine + Field('X', 8193) + "\r\n\r\n");

        Assert.Equal((RequestRejection.HeaderLineTooLong, 431), (outcome.Rejection, outcome.Rejection.StatusCode()));
    }

    [Fact]
    public void Default_limits_accept_100_fields_and_answer_431_for_101()
    {
        static string Fields(int count) => string.Concat(Enumerable.Range(0, count).Select(i => $"X-Field-{i}: value {i}\r\n"));
        Assert.Equal(ParseResult.Complete, CheckHeadAllWays(RequestLine + Fields(100) + "\r\n").Result);

        HeadOutcome outcome = CheckHeadAllWays(RequestLine + Fields(101) + "\r\n");

        Assert.Equal((RequestRejection.TooManyHeaders, 431), (outcome.Rejection, outcome.Rejection.StatusCode()));
    }

    [Fact]
    public void Default_limits_answer_431_for_a_header_section_over_32_KiB()
    {
        var parser = new HttpParser(HttpParserLimits.Default);
        string fields = string.Concat(Enumerable.Range(0, 5).Select(i => Field((char)('A' + i), 7000) + "\r\n"));
        byte[] input = Bytes(RequestLine + fields + "\r\n");

        HeadOutcome whole = ParseHead(parser, new ReadOnlySequence<byte>(input));

        Assert.Equal((RequestRejection.HeadersTooLarge, 431), (whole.Rejection, whole.Rejection.StatusCode()));
        Assert.Equal(RequestRejection.HeadersTooLarge, ParseGrowing(parser, input, 1000).Rejection);
        Assert.Equal(RequestRejection.HeadersTooLarge, ParseHead(parser, Split(input, 30_000)).Rejection);
        Assert.Equal(4, whole.Handler.Headers.Count);
    }

    [Fact]
    public void Limits_at_int_MaxValue_do_not_overflow()
    {
        var parser = new HttpParser(new HttpParserLimits(int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue));

        HeadOutcome outcome = CheckHeadAllWays(RequestLine + "Host: h\r\nX: y\r\n\r\n", parser);

        Assert.Equal("GET / path=/ query= authority= Http11 Origin | Host: h | X: y", outcome.Transcript);
    }
}

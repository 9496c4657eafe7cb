using EventCore.Server.Http1;
using static EventCore.Server.Tests.ParserTestSupport;

namespace EventCore.Server.Tests;

/// <summary>
/// Whole request heads from request-smuggling research (CL.TE, TE.CL, TE.TE obfuscation), parsed every way by the
/// head parser with <see cref="RequestFraming"/> fed from the handler, as the connection does.
/// </summary>
public partial class RequestFramingTests
{
    private const string Post = "POST /search HTTP/1.1\r\nHost: h\r\n";

    [Theory]
    // CL.TE and TE.CL: both framings present.
    [InlineData(Post + "Content-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n", "Complete None ContentLengthWithTransferEncoding")]
    [InlineData(Post + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", "Complete None ContentLengthWithTransferEncoding")]
    [InlineData(Post + "Content-Length: 6\r\nTransfer-Encoding: chunked, identity\r\n\r\n", "Complete None ContentLengthWithTransferEncoding")]
    // TE.TE obfuscation.
    [InlineData(Post + "Transfer-Encoding: xchunked\r\n\r\n", "Complete None ChunkedNotFinalCoding")]
    [InlineData(Post + "Transfer-Encoding : chunked\r\n\r\n", "Rejected WhitespaceBeforeColon None")]
    [InlineData(Post + "Transfer-Encoding: chunked, identity\r\n\r\n", "Complete None ChunkedNotFinalCoding")]
    [InlineData(Post + "Transfer-Encoding: chunked\r\nTransfer-encoding: x\r\n\r\n", "Complete None ChunkedNotFinalCoding")]
    [InlineData(Post + "Transfer-Encoding: chunked\u000b\r\n\r\n", "Rejected InvalidHeaderValue None")]
    [InlineData(Post + "Transfer-Encoding: \u000bchunked\r\n\r\n", "Rejected InvalidHeaderValue None")]
    [InlineData(Post + "Transfer-Encoding:\u000bchunked\r\n\r\n", "Rejected InvalidHeaderValue None")]
    [InlineData(Post + "Transfer-Encoding: chunked\r\n\r\n", "Complete None None")]
    [InlineData(Post + "Transfer-Encoding:\tchunked\t\r\n\r\n", "Complete None None")]
    [InlineData(Post + "\tTransfer-Encoding: chunked\r\n\r\n", "Rejected ObsoleteLineFolding None")]
    [InlineData(Post + " Transfer-Encoding: chunked\r\n\r\n", "Rejected ObsoleteLineFolding None")]
    [InlineData(Post + "X: y\r\n Transfer-Encoding: chunked\r\n\r\n", "Rejected ObsoleteLineFolding None")]
    [InlineData(Post + "Transfer-Encoding:\r\n chunked\r\n\r\n", "Rejected ObsoleteLineFolding None")]
    [InlineData(Post + "Transfer-Encoding: \"chunked\"\r\n\r\n", "Complete None InvalidTransferEncoding")]
    [InlineData(Post + "Transfer_Encoding: chunked\r\n\r\n", "Complete None None")]
    [InlineData(Post + "Transfer-Encoding: chunked\nContent-Length: 5\r\n\r\n", "Rejected InvalidHeaderLine None")]
    [InlineData(Post + "Foo: bar\rTransfer-Encoding: chunked\r\n\r\n", "Rejected InvalidHeaderValue None")]
    [InlineData(Post + "Transfer-Encoding: eee, chunked\r\nContent-Length: 10\r\n\r\n", "Complete None ContentLengthWithTransferEncoding")]
    [InlineData(Post + "Transfer-Encoding: eee, chunked\r\n\r\n", "Complete None UnsupportedTransferCoding")]
    // Content-Length obfuscation.
    [InlineData(Post + "Content-Length: +5\r\n\r\n", "Complete None InvalidContentLength")]
    [InlineData(Post + "Content-Length:  5 \r\n\r\n", "Complete None None")]
    [InlineData(Post + "Content-Length: 5 5\r\n\r\n", "Complete None InvalidContentLength")]
    [InlineData(Post + "Content-Length: 0x5\r\n\r\n", "Complete None InvalidContentLength")]
    [InlineData(Post + "Content-Length: 18446744073709551621\r\n\r\n", "Complete None InvalidContentLength")]
    [InlineData(Post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", "Complete None MultipleContentLengths")]
    [InlineData(Post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n", "Complete None None")]
    [InlineData(Post + "Content-Length : 5\r\n\r\n", "Rejected WhitespaceBeforeColon None")]
    [InlineData(Post + "Content-Length: 5\0\r\n\r\n", "Rejected InvalidHeaderValue None")]
    [InlineData(Post + "Content-Length:\r\n\r\n", "Complete None InvalidContentLength")]
    // Host.
    [InlineData("GET / HTTP/1.1\r\n\r\n", "Complete None MissingHost")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "Complete None MultipleHosts")]
    [InlineData("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", "Complete None InvalidHost")]
    [InlineData("GET http://a.example/ HTTP/1.1\r\nHost: b.example\r\n\r\n", "Complete None None")]
    [InlineData("GET http://a.example/ HTTP/1.1\r\nHost:\r\n\r\n", "Complete None InvalidHost")]
    [InlineData("GET http://a.example/ HTTP/1.1\r\n\r\n", "Complete None MissingHost")]
    [InlineData("GET / HTTP/1.0\r\n\r\n", "Complete None None")]
    [InlineData("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", "Complete None TransferEncodingInHttp10")]
    public void Smuggling_attempts_are_refused(string head, string expected)
    {
        HeadOutcome outcome = CheckHeadAllWays(head);

        Assert.Equal(expected, $"{outcome.Result} {outcome.Rejection} {outcome.FramingRejection}");
    }

    [Fact]
    public void Absolute_form_authority_is_reported_next_to_a_different_host()
    {
        HeadOutcome outcome = CheckHeadAllWays("GET http://a.example:8080/p?q HTTP/1.1\r\nHost: b.example\r\n\r\n");

        Assert.Equal(("a.example:8080", "/p", "?q"), (outcome.Handler.Authority, outcome.Handler.Path, outcome.Handler.Query));
        Assert.Equal(("Host", "b.example"), outcome.Handler.Headers.Single());
    }

    [Theory]
    [InlineData(Post + "Transfer-Encoding: chunked\r\n\r\n", "Chunked", 0)]
    [InlineData(Post + "Content-Length: 42\r\n\r\n", "ContentLength", 42)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "None", 0)]
    public void Framing_decides_the_body_kind(string head, string kind, long length)
    {
        HeadOutcome outcome = CheckHeadAllWays(head);

        Assert.Equal((kind, length), (outcome.BodyKind.ToString(), outcome.ContentLength));
    }
}

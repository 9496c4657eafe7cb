using EventCore.Server.Http1;
using static EventCore.Server.Tests.ParserTestSupport;

namespace EventCore.Server.Tests;

/// <summary>
/// Invalid requests adapted from llhttp's strict-mode fixtures (test/request/invalid.md and friends): each names
/// the smuggling or robustness issue it guards against; the expectations are EventCore's own rejections.
/// </summary>
public partial class HttpParserTests
{
    [Theory]
    [InlineData("GET /music/sweet/music ICE/1.0\r\nHost: example.com\r\n\r\n", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET /music/sweet/music IHTTP/1.0\r\nHost: example.com\r\n\r\n", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("PUT /music/sweet/music RTSP/1.0\r\nHost: example.com\r\n\r\n", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / HTTP/5.6\r\n\r\n", nameof(RequestRejection.UnsupportedHttpVersion))]
    [InlineData("GET / HTTP/1.1\r\nFoo: 1\rBar: 2\r\n\r\n", nameof(RequestRejection.InvalidHeaderValue))]
    [InlineData("POST / HTTP/1.1\r\nHost: localhost:5000\r\nx:x\nTransfer-Encoding: chunked\r\n\r\n1\r\nA\r\n0\r\n\r\n", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("GET / HTTP/1.1\r\nConnection: close\r\nHost: a\r\n\rZGET /evil: HTTP/1.1\r\nHost: a\r\n\r\n", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("POST / HTTP/1.1\r\nConnection: Close\r\nHost: localhost:5000\r\nx:\rTransfer-Encoding: chunked\r\n\r\n", nameof(RequestRejection.InvalidHeaderValue))]
    [InlineData("POST / HTTP/1.1\r\nHost: localhost:5000\r\nx:\nTransfer-Encoding: chunked\r\n\r\n", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("GET / HTTP/1.1\r\nFo@: Failure\r\n\r\n", nameof(RequestRejection.InvalidHeaderName))]
    [InlineData("GET / HTTP/1.1\r\nFoo\u0001\test: Bar\r\n\r\n", nameof(RequestRejection.InvalidHeaderName))]
    [InlineData("GET / HTTP/1.1\r\n: Bar\r\n\r\n", nameof(RequestRejection.InvalidHeaderName))]
    [InlineData("GET / HTTP/1.1\r\nname\r\n : value\r\n\r\n", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("GET / HTTP/1.1\r\nHost: www.example.com\r\nConnection\r\u001b\u0035\u00d5eep-Alive\r\nAccept-Encoding: gzip\r\n\r\n", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("GET / HTTP/1.1\r\nHost: localhost\r\nDummy: x\nContent-Length: 23\r\n\r\nGET / HTTP/1.1\r\nDummy: GET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n", nameof(RequestRejection.InvalidHeaderLine))]
    [InlineData("GET / HTTP/1.1\r\n Host: foo\r\n\r\n", nameof(RequestRejection.ObsoleteLineFolding))]
    [InlineData("POST /hello HTTP/1.1\r\nHost: localhost\r\nFoo: bar\r\n Content-Length: 38\r\n\r\nGET /bye HTTP/1.1\r\nHost: localhost\r\n\r\n", nameof(RequestRejection.ObsoleteLineFolding))]
    [InlineData("POST / HTTP/1.1\nTransfer-Encoding: chunked\nTrailer: Baz\nFoo: abc\n\n1\nA\n0\n\n", nameof(RequestRejection.InvalidRequestLine))]
    [InlineData("GET /test HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", nameof(RequestRejection.MultipleContentLengths))]
    public void Llhttp_invalid_request_is_rejected(string head, string expected)
    {
        HeadOutcome outcome = CheckHeadAllWays(head);

        string actual = outcome.Result == ParseResult.Rejected ? outcome.Rejection.ToString() : outcome.FramingRejection.ToString();
        Assert.Equal(expected, actual);
    }
}

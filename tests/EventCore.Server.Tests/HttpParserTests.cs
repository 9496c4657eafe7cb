using System.Buffers;
using EventCore.Server.Http1;
using Microsoft.AspNetCore.Http;
using static EventCore.Server.Tests.ParserTestSupport;

namespace EventCore.Server.Tests;

/// <summary>
/// The request line (RFC 9112 §3). Every case is parsed whole, at every two-segment split, one byte at a time and
/// as every truncated prefix (<see cref="ParserTestSupport.CheckHeadAllWays"/>).
/// </summary>
public partial class HttpParserTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1", "GET", "/", "/", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("GET /a/b?x=1&y=2 HTTP/1.1", "GET", "/a/b?x=1&y=2", "/a/b", "?x=1&y=2", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("GET /? HTTP/1.1", "GET", "/?", "/", "?", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("GET /a?b?c/d HTTP/1.1", "GET", "/a?b?c/d", "/a", "?b?c/d", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("GET //double//slash HTTP/1.1", "GET", "//double//slash", "//double//slash", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("GET /%E2%82%AC/%20x HTTP/1.1", "GET", "/%E2%82%AC/%20x", "/%E2%82%AC/%20x", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("GET /a;b,c=d!$&'()*+~-._:@ HTTP/1.1", "GET", "/a;b,c=d!$&'()*+~-._:@", "/a;b,c=d!$&'()*+~-._:@", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("GET /q?a={b}|c^d`e\"<>\\ HTTP/1.1", "GET", "/q?a={b}|c^d`e\"<>\\", "/q", "?a={b}|c^d`e\"<>\\", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("POST /upload HTTP/1.0", "POST", "/upload", "/upload", "", "", nameof(HttpVersion.Http10), nameof(RequestTargetForm.Origin))]
    [InlineData("HEAD /x HTTP/1.1", "HEAD", "/x", "/x", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("PUT /x HTTP/1.1", "PUT", "/x", "/x", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("DELETE /x HTTP/1.1", "DELETE", "/x", "/x", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("PATCH /x HTTP/1.1", "PATCH", "/x", "/x", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("TRACE /x HTTP/1.1", "TRACE", "/x", "/x", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("OPTIONS /x HTTP/1.1", "OPTIONS", "/x", "/x", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("OPTIONS * HTTP/1.1", "OPTIONS", "*", "", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Asterisk))]
    [InlineData("CONNECT example.com:443 HTTP/1.1", "CONNECT", "example.com:443", "", "", "example.com:443", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Authority))]
    [InlineData("CONNECT [::1]:8080 HTTP/1.1", "CONNECT", "[::1]:8080", "", "", "[::1]:8080", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Authority))]
    [InlineData("CONNECT 10.0.0.1:80 HTTP/1.0", "CONNECT", "10.0.0.1:80", "", "", "10.0.0.1:80", nameof(HttpVersion.Http10), nameof(RequestTargetForm.Authority))]
    [InlineData("GET http://example.com/path?q HTTP/1.1", "GET", "http://example.com/path?q", "/path", "?q", "example.com", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Absolute))]
    [InlineData("GET HTTP://EXAMPLE.com HTTP/1.1", "GET", "HTTP://EXAMPLE.com", "/", "", "EXAMPLE.com", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Absolute))]
    [InlineData("GET https://example.com:8443?x=1 HTTP/1.1", "GET", "https://example.com:8443?x=1", "/", "?x=1", "example.com:8443", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Absolute))]
    [InlineData("GET HtTpS://a.b/ HTTP/1.1", "GET", "HtTpS://a.b/", "/", "", "a.b", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Absolute))]
    [InlineData("GET http://[2001:db8::1]:80/x HTTP/1.1", "GET", "http://[2001:db8::1]:80/x", "/x", "", "[2001:db8::1]:80", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Absolute))]
    [InlineData("GET http://127.0.0.1:/ HTTP/1.1", "GET", "http://127.0.0.1:/", "/", "", "127.0.0.1:", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Absolute))]
    [InlineData("OPTIONS http://example.com HTTP/1.1", "OPTIONS", "http://example.com", "/", "", "example.com", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Absolute))]
    [InlineData("GET / HTTP/1.2", "GET", "/", "/", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("GET / HTTP/1.9", "GET", "/", "/", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("PURGE /cache HTTP/1.1", "PURGE", "/cache", "/cache", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("M-SEARCH / HTTP/1.1", "M-SEARCH", "/", "/", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("get / HTTP/1.1", "get", "/", "/", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    [InlineData("!#$%&'*+-.^_`|~09azAZ / HTTP/1.1", "!#$%&'*+-.^_`|~09azAZ", "/", "/", "", "", nameof(HttpVersion.Http11), nameof(RequestTargetForm.Origin))]
    public void Valid_request_line_is_parsed(string line, string method, string target, string path, string query, string authority, string version, string form)
    {
        HeadOutcome outcome = CheckHeadAllWays(line + "\r\nHost: h\r\n\r\n");

        Assert.Equal(ParseResult.Complete, outcome.Result);
        RecordingHandler request = outcome.Handler;
        Assert.Equal((method, target, path, query, authority, version, form), (request.Method, request.Target, request.Path, request.Query, request.Authority, request.Version.ToString(), request.Form.ToString()));
    }

    [Theory]
    // Spacing: exactly one SP between the three parts, none around.
    [InlineData("GET  / HTTP/1.1", nameof(RequestRejection.InvalidRequestLine))]
    [InlineData(" GET / HTTP/1.1", nameof(RequestRejection.InvalidRequestLine))]
    [InlineData("GET /  HTTP/1.1", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / HTTP/1.1 ", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET /a b HTTP/1.1", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET\t/ HTTP/1.1", nameof(RequestRejection.InvalidMethod))]
    [InlineData("GET /\tHTTP/1.1", nameof(RequestRejection.InvalidRequestLine))]
    [InlineData("GET", nameof(RequestRejection.InvalidRequestLine))]
    [InlineData("GET /", nameof(RequestRejection.InvalidRequestLine))]
    [InlineData("GET / ", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("/ HTTP/1.1", nameof(RequestRejection.InvalidRequestLine))]
    // Method: a token.
    [InlineData("G(T / HTTP/1.1", nameof(RequestRejection.InvalidMethod))]
    [InlineData("GE\0T / HTTP/1.1", nameof(RequestRejection.InvalidMethod))]
    [InlineData("G\u00c9T / HTTP/1.1", nameof(RequestRejection.InvalidMethod))]
    [InlineData("GET: / HTTP/1.1", nameof(RequestRejection.InvalidMethod))]
    [InlineData("\"GET\" / HTTP/1.1", nameof(RequestRejection.InvalidRequestLine))]
    // Target bytes: visible ASCII, no fragment, no CTL, no raw non-ASCII.
    [InlineData("GET /a\tb HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET /a\0b HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET /a\u007fb HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET /a\u000bb HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET /caf\u00c3\u00a9 HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET /\u0080 HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET /a#frag HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET /a?b#c HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET /\r HTTP/1.1", nameof(RequestRejection.InvalidRequestLine))]
    // Target forms.
    [InlineData("GET a/b HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET * HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("OPTIONS *x HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("OPTIONS ** HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("CONNECT / HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("CONNECT example.com HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("CONNECT example.com: HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("CONNECT http://example.com:80/ HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("CONNECT user@example.com:80 HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET example.com:443 HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET ftp://example.com/ HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET http:/example.com/ HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET http:///path HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET http://?x HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET http://user@example.com/ HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET http://user:pw@example.com/ HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET http://example.com:99999/ HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET http://example.com:8x/ HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET http://[::1/ HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET http://[]/ HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET http://[v1.x]/ HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET http://exa%zzmple.com/ HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    [InlineData("GET http://a<b/ HTTP/1.1", nameof(RequestRejection.InvalidRequestTarget))]
    // Versions: 1.0 and 1.1 (1.x served as 1.1); 2+ → 505; anything else malformed → 400.
    [InlineData("GET / http/1.1", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / Http/1.1", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / HTTP/1.1x", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / HTTP/1.", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / HTTP/1", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / HTTP/11", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / HTTP/1.10", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / HTTP/10.0", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / HTTP/0.9", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / HTTP/1,1", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / HTTP/a.1", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / HTTP/", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / HTTPS/1.1", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / HTTP/1.1\0", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / HTTP/1.1\r", nameof(RequestRejection.InvalidRequestLine))]
    [InlineData("GET / ICE/1.0", nameof(RequestRejection.InvalidHttpVersion))]
    [InlineData("GET / HTTP/2.0", nameof(RequestRejection.UnsupportedHttpVersion))]
    [InlineData("GET / HTTP/2", nameof(RequestRejection.UnsupportedHttpVersion))]
    [InlineData("GET / HTTP/3", nameof(RequestRejection.UnsupportedHttpVersion))]
    [InlineData("GET / HTTP/3.0", nameof(RequestRejection.UnsupportedHttpVersion))]
    [InlineData("GET / HTTP/9.9", nameof(RequestRejection.UnsupportedHttpVersion))]
    [InlineData("PRI * HTTP/2.0", nameof(RequestRejection.UnsupportedHttpVersion))]
    public void Invalid_request_line_is_rejected(string line, string expected)
    {
        HeadOutcome outcome = CheckHeadAllWays(line + "\r\nHost: h\r\n\r\n");

        Assert.Equal($"Rejected {expected}", Describe(outcome));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\nHost: h\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\rHost: h\r\n\r\n")]
    [InlineData("\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("\r\n\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("\rGET / HTTP/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("\r\rGET / HTTP/1.1\r\nHost: h\r\n\r\n")]
    public void Bare_line_endings_around_the_request_line_are_rejected(string head)
    {
        HeadOutcome outcome = CheckHeadAllWays(head);

        Assert.Equal((ParseResult.Rejected, RequestRejection.InvalidRequestLine), (outcome.Result, outcome.Rejection));
    }

    [Theory]
    [InlineData("\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")]
    public void Leading_empty_lines_are_ignored(string head)
    {
        HeadOutcome outcome = CheckHeadAllWays(head);

        Assert.Equal(ParseResult.Complete, outcome.Result);
        Assert.Equal(head.Length, outcome.Consumed);
        Assert.Equal("/", outcome.Handler.Target);
    }

    [Fact]
    public void Leading_empty_lines_are_consumed_while_the_request_line_is_incomplete()
    {
        var parser = new HttpParser(HttpParserLimits.Default);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes("\r\n\r\nGE")));

        ParseResult result = parser.ParseRequestLine(new RecordingHandler(), ref reader, out RequestRejection rejection);

        Assert.Equal((ParseResult.Incomplete, RequestRejection.None, 4L), (result, rejection, reader.Consumed));
    }

    [Theory]
    [InlineData("GET", nameof(HttpMethods.Get))]
    [InlineData("POST", nameof(HttpMethods.Post))]
    [InlineData("PUT", nameof(HttpMethods.Put))]
    [InlineData("DELETE", nameof(HttpMethods.Delete))]
    [InlineData("PATCH", nameof(HttpMethods.Patch))]
    [InlineData("HEAD", nameof(HttpMethods.Head))]
    [InlineData("OPTIONS", nameof(HttpMethods.Options))]
    [InlineData("TRACE", nameof(HttpMethods.Trace))]
    public void Known_methods_are_the_cached_strings(string method, string field)
    {
        HeadOutcome outcome = CheckHeadAllWays($"{method} / HTTP/1.1\r\nHost: h\r\n\r\n");

        string cached = (string)typeof(HttpMethods).GetField(field)!.GetValue(null)!;
        Assert.Same(cached, outcome.Handler.Method);
    }

    [Fact]
    public void Connect_method_is_the_cached_string()
        => Assert.Same(HttpMethods.Connect, CheckHeadAllWays("CONNECT a:1 HTTP/1.1\r\nHost: a:1\r\n\r\n").Handler.Method);

    [Fact]
    public void Request_line_stops_after_its_crlf_and_leaves_the_headers()
    {
        var parser = new HttpParser(HttpParserLimits.Default);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes("GET /x HTTP/1.1\r\nHost: h\r\n")));

        ParseResult result = parser.ParseRequestLine(new RecordingHandler(), ref reader, out _);

        Assert.Equal((ParseResult.Complete, 17L), (result, reader.Consumed));
    }

    [Fact]
    public void Incomplete_request_line_leaves_the_reader_unchanged()
    {
        var parser = new HttpParser(HttpParserLimits.Default);
        var handler = new RecordingHandler();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes("GET /x HTTP/1.1\r")));

        ParseResult result = parser.ParseRequestLine(handler, ref reader, out _);

        Assert.Equal((ParseResult.Incomplete, 0L), (result, reader.Consumed));
        Assert.Null(handler.Method);
    }

    [Fact]
    public void Pipelined_requests_are_parsed_one_after_the_other()
    {
        byte[] input = Bytes("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2?q HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
        var parser = new HttpParser(HttpParserLimits.Default);
        for (int at = 0; at <= input.Length; at++)
        {
            var reader = new SequenceReader<byte>(Split(input, at));
            HeadOutcome first = ParseHead(parser, reader.UnreadSequence);
            reader.Advance(first.Consumed);
            HeadOutcome second = ParseHead(parser, reader.UnreadSequence);

            Assert.Equal("GET /1 path=/1 query= authority= Http11 Origin | Host: h", first.Transcript);
            Assert.Equal("POST /2?q path=/2 query=?q authority= Http10 Origin | Content-Length: 0", second.Transcript);
            Assert.Equal(input.Length, first.Consumed + second.Consumed);
        }
    }
}

using System.Text;
using EventCore.Cgi.Execution;

namespace EventCore.Cgi.Tests;

/// <summary>The header block parser, fed every split of its input (output arrives in arbitrary pieces).</summary>
public sealed class CgiHeaderParserTests
{
    [Fact]
    public void AFullBlockParsesTheSameWhateverTheSplit()
    {
        const string Output = "Status: 404 Not Found\r\nContent-Type: text/html\r\nSet-Cookie: a=1\nSet-Cookie: b=2\r\nX-Empty:\r\n" +
            "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\nbody";
        var bytes = Encoding.ASCII.GetBytes(Output);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var parser = new CgiHeaderParser();
            var first = parser.Parse(bytes.AsSpan(0, split), out _);
            Assert.NotEqual(HeadParseResult.Invalid, first);
            var result = first == HeadParseResult.Complete ? first : parser.Parse(bytes, out _);
            Assert.Equal(HeadParseResult.Complete, result);
            var head = parser.Head;
            Assert.Equal(404, head.Status);
            Assert.Equal("Not Found", head.Reason);
            Assert.Equal("text/html", head.ContentType);
            Assert.Equal(4, head.ContentLength);
            Assert.Equal([new("Set-Cookie", "a=1"), new("Set-Cookie", "b=2"), new("X-Empty", "")], head.Fields);
            Assert.Single(head.Dropped, d => d.StartsWith("Transfer-Encoding", StringComparison.Ordinal));
        }

        var whole = new CgiHeaderParser();
        Assert.Equal(HeadParseResult.Complete, whole.Parse(bytes, out var bodyStart));
        Assert.Equal("body", Encoding.ASCII.GetString(bytes.AsSpan(bodyStart)));
    }

    [Theory]
    [InlineData("hello world\n\n", "not a header field")]
    [InlineData("\r\nbody", "empty line")]
    [InlineData("Bad Name: x\n\n", "not a header field")]
    [InlineData(": no name\n\n", "not a header field")]
    [InlineData("Status: abc\n\n", "invalid Status")]
    [InlineData("Status: 100 Continue\n\n", "invalid Status")]
    [InlineData("Status: 2000\n\n", "invalid Status")]
    [InlineData("Status: 200\nStatus: 404\n\n", "more than one Status")]
    [InlineData("Content-Length: -1\n\n", "invalid Content-Length")]
    [InlineData("Content-Length: 1\nContent-Length: 2\n\n", "two different Content-Length")]
    [InlineData("X-Bad: a\u0001b\n\n", "control character")]
    [InlineData("Location:\n\n", "empty Location")]
    public void InvalidBlocksAreRefusedAtTheFirstBadLine(string output, string reason)
    {
        var parser = new CgiHeaderParser();

        Assert.Equal(HeadParseResult.Invalid, parser.Parse(Encoding.Latin1.GetBytes(output), out _));
        Assert.Contains(reason, parser.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void GarbageIsRefusedBeforeTheScriptEnds()
    {
        // No blank line yet, but the first complete line is already not a field: no need to wait for more.
        Assert.Equal(HeadParseResult.Invalid, new CgiHeaderParser().Parse("<html>\n"u8, out _));
        Assert.Equal(HeadParseResult.NeedMoreData, new CgiHeaderParser().Parse("<html>"u8, out _));
    }

    [Theory]
    [InlineData("Location: /a/b?c=d\n\n", true)]
    [InlineData("Location: //other.host/x\n\n", false)]
    [InlineData("Location: http://x/\n\n", false)]
    [InlineData("Status: 302 Found\nLocation: /a\n\n", false)]
    public void OnlyAPathLocationWithoutStatusIsALocalRedirect(string output, bool local)
    {
        var parser = new CgiHeaderParser();

        Assert.Equal(HeadParseResult.Complete, parser.Parse(Encoding.ASCII.GetBytes(output), out _));
        Assert.Equal(local, parser.Head.IsLocalRedirect);
    }

    [Fact]
    public void NonAsciiValuesAreDroppedButANonAsciiLocationIsPercentEncoded()
    {
        var parser = new CgiHeaderParser();

        Assert.Equal(HeadParseResult.Complete, parser.Parse(Encoding.UTF8.GetBytes("X-Name: caf\u00e9\nLocation: /caf\u00e9\n\n"), out _));
        Assert.Empty(parser.Head.Fields);
        Assert.Single(parser.Head.Dropped);
        Assert.Equal("/caf%C3%A9", parser.Head.Location);
    }
}

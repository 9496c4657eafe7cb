using System.Text;
using EventCore.Server.Http1;

namespace EventCore.Server.Tests;

public class PathDecoderTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("/plain/path.txt", "/plain/path.txt")]
    [InlineData("/a%20b", "/a b")]
    [InlineData("/a%2Fb", "/a%2Fb")]
    [InlineData("/a%2fb", "/a%2fb")]
    [InlineData("/caf%C3%A9", "/caf\u00e9")]
    [InlineData("/bad%zz", "/bad%zz")]
    [InlineData("/trailing%4", "/trailing%4")]
    [InlineData("/a/./b", "/a/b")]
    [InlineData("/a/../b", "/b")]
    [InlineData("/a/b/..", "/a/")]
    [InlineData("/a/b/.", "/a/b/")]
    [InlineData("/..", "/")]
    [InlineData("/../../x", "/x")]
    [InlineData("/a/%2E%2E/b", "/b")]
    [InlineData("/.hidden/..x", "/.hidden/..x")]
    public void Decodes_and_normalises_like_Kestrel(string raw, string expected)
        => Assert.Equal(expected, new PathDecoder().Decode(Encoding.ASCII.GetBytes(raw)));

    [Fact]
    public void Invalid_utf8_after_decoding_is_refused()
        => Assert.Null(new PathDecoder().Decode("/%C3%28"u8));

    [Theory]
    [InlineData("/upload%00")]
    [InlineData("/s%00earch")]
    [InlineData("/a/%00/b")]
    public void A_nul_after_decoding_is_refused(string raw)
        => Assert.Null(new PathDecoder().Decode(System.Text.Encoding.ASCII.GetBytes(raw)));

    [Fact]
    public void Repeated_bytes_reuse_the_previous_string()
    {
        var decoder = new PathDecoder();
        var first = decoder.Decode("/plaintext"u8);
        Assert.Same(first, decoder.Decode("/plaintext"u8));
        var escaped = decoder.Decode("/a%20b"u8);
        Assert.Same(escaped, decoder.Decode("/a%20b"u8));
    }
}

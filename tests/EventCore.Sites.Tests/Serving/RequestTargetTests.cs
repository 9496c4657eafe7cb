using EventCore.Sites.Serving;

namespace EventCore.Sites.Tests.Serving;

public sealed class RequestTargetTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("/plain/path-1.html", "/plain/path-1.html")]
    [InlineData("/.hidden/a..b", "/.hidden/a..b")]
    [InlineData("/a/..", "/")]
    [InlineData("/a\u0001b", null)]
    [InlineData("/a/b.html?x=1", "/a/b.html")]
    [InlineData("/a//b///c", "/a/b/c")]
    [InlineData("/a/./b/../c", "/a/c")]
    [InlineData("/a/b/..", "/a/")]
    [InlineData("/a/.", "/a/")]
    [InlineData("/dir/", "/dir/")]
    [InlineData("/a%20b/%C3%A9", "/a b/é")]
    [InlineData("/%2e%2e%2fsecret", null)]
    [InlineData("/a/%2e%2e/b", "/b")]
    [InlineData("/%252e%252e/etc/passwd", "/%2e%2e/etc/passwd")]
    [InlineData("/..", null)]
    [InlineData("/../etc/passwd", null)]
    [InlineData("/a/../../etc/passwd", null)]
    [InlineData("/a%00.html", null)]
    [InlineData("/a%0d%0aX: y", null)]
    [InlineData("/a%7f", null)]
    [InlineData("/a%zz", null)]
    [InlineData("/a%2", null)]
    [InlineData("/%C3%28", null)]
    [InlineData("relative", null)]
    [InlineData("*", null)]
    [InlineData("http://example.com/a/../b?q", "/b")]
    [InlineData("http://example.com", "/")]
    public void Decodes_once_collapses_dot_segments_and_refuses_what_escapes_or_holds_control_characters(string target, string? path) =>
        Assert.Equal(path, RequestTarget.NormalizePath(target));
}

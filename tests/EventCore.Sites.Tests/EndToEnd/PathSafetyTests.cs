using EventCore.Sites.Tests.Support;

namespace EventCore.Sites.Tests.EndToEnd;

public sealed class PathSafetyTests(SitesFixture fixture) : IClassFixture<SitesFixture>
{
    [Theory]
    [InlineData("/../../../../etc/passwd", 400)]
    [InlineData("/files/../../etc/passwd", 400)]
    [InlineData("/%2e%2e/%2e%2e/etc/passwd", 400)]
    [InlineData("/files/..%2f..%2f..%2fetc/passwd", 400)]
    [InlineData("/%252e%252e/%252e%252e/etc/passwd", 404)]
    [InlineData("/static.txt%00.html", 400)]
    [InlineData("/static.txt%0a", 400)]
    [InlineData("/a%zz", 400)]
    [InlineData("/alias/../static.txt", 200)]
    [InlineData("/files/./../static.txt", 200)]
    public async Task Traversal_raw_encoded_double_encoded_and_nul(string target, int status)
    {
        var reply = await RawClient.GetAsync(fixture.Server.Ports[0], target);
        Assert.Equal(status, reply.Status);
        Assert.DoesNotContain("root:", reply.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Symlinks_are_followed_only_inside_the_root()
    {
        Assert.Equal((200, "static content 0123456789"), await GetAsync("/link-in.txt"));
        Assert.Equal(403, (await GetAsync("/link-out.txt")).Status);
        Assert.Equal(403, (await GetAsync("/dir-out/page.txt")).Status);
        Assert.Equal(403, (await GetAsync("/dir-out/")).Status);
    }

    private async Task<(int Status, string Body)> GetAsync(string target)
    {
        var reply = await RawClient.GetAsync(fixture.Server.Ports[0], target);
        return (reply.Status, reply.Body);
    }
}

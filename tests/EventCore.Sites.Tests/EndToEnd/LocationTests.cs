using System.Net;

namespace EventCore.Sites.Tests.EndToEnd;

public sealed class LocationTests(SitesFixture fixture) : IClassFixture<SitesFixture>
{
    [Theory]
    [InlineData("/exact", "exact")]
    [InlineData("/prec/a", "prefix")]
    [InlineData("/prec/a.txt", "regex-first")]
    [InlineData("/prec/a.md", "regex-second")]
    [InlineData("/prec/stop/a.txt", "prefix-stop")]
    [InlineData("/case/x", "regex-nocase")]
    [InlineData("/CaSe/x", "regex-nocase")]
    public async Task Nginx_precedence_exact_then_longest_prefix_then_regexes_in_order_unless_caret_tilde(string path, string body)
    {
        using var client = fixture.Server.Client();
        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Exact_location_does_not_match_a_longer_path()
    {
        using var client = fixture.Server.Client();
        var response = await client.GetAsync("/exact/more", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Root_appends_the_whole_path_and_alias_replaces_the_prefix()
    {
        using var client = fixture.Server.Client();
        Assert.Equal("aliased page", await client.GetStringAsync("/alias/page.txt", TestContext.Current.CancellationToken));
        Assert.Equal("readme", await client.GetStringAsync("/files/readme.txt", TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/aliased/page.txt", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Return_redirects_and_return_without_text_sends_the_status_page()
    {
        using var client = fixture.Server.Client();
        var moved = await client.GetAsync("/old", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.MovedPermanently, moved.StatusCode);
        Assert.Equal("/new", moved.Headers.Location!.OriginalString);

        var gone = await client.GetAsync("/gone", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Contains("<h1>410 Gone</h1>", await gone.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        // An error page that is a full URL is a redirect to it.
        var teapot = await client.GetAsync("/teapot", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Found, teapot.StatusCode);
        Assert.Equal("https://errors.example/teapot", teapot.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Methods_outside_allow_methods_are_405_with_Allow()
    {
        using var client = fixture.Server.Client();
        var post = await client.PostAsync("/methods/x", new StringContent("x"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(new[] { "GET" }, post.Content.Headers.Allow);

        var delete = await client.DeleteAsync("/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        Assert.Equal(new[] { "GET", "HEAD" }, delete.Content.Headers.Allow);
    }
}

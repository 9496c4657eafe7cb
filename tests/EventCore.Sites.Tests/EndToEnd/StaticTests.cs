using System.Net;
using System.Net.Http.Headers;
using EventCore.Sites.Tests.Support;

namespace EventCore.Sites.Tests.EndToEnd;

public sealed class StaticTests(SitesFixture fixture) : IClassFixture<SitesFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Folder_without_slash_is_301_and_with_slash_serves_its_index()
    {
        using var client = fixture.Server.Client();
        var moved = await client.GetAsync("/sub?x=1", Cancel);
        Assert.Equal(HttpStatusCode.MovedPermanently, moved.StatusCode);
        Assert.Equal("/sub/?x=1", moved.Headers.Location!.OriginalString);
        Assert.Equal("sub index", await client.GetStringAsync("/sub/", Cancel));
    }

    [Fact]
    public async Task Folder_without_index_or_autoindex_is_403()
    {
        using var client = fixture.Server.Client();
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/noindex/", Cancel)).StatusCode);
    }

    [Fact]
    public async Task Autoindex_lists_folders_first_with_names_escaped_and_links_encoded()
    {
        using var client = fixture.Server.Client();
        var response = await client.GetAsync("/files/", Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var html = await response.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("<title>Index of /files/</title>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"a%3Cb%3E%26c%22.txt\">a&lt;b&gt;&amp;c&quot;.txt</a>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("folder/", StringComparison.Ordinal) < html.IndexOf("readme.txt", StringComparison.Ordinal), html);
        Assert.Contains("<td>6</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_have_etag_last_modified_304_and_single_ranges()
    {
        using var client = fixture.Server.Client();
        var response = await client.GetAsync("/static.txt", Cancel);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        var etag = response.Headers.ETag!;
        Assert.NotNull(response.Content.Headers.LastModified);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/static.txt") { Headers = { IfNoneMatch = { etag } } };
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(conditional, Cancel)).StatusCode);

        using var range = new HttpRequestMessage(HttpMethod.Get, "/static.txt") { Headers = { Range = new RangeHeaderValue(15, 18) } };
        var partial = await client.SendAsync(range, Cancel);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal("0123", await partial.Content.ReadAsStringAsync(Cancel));

        using var outside = new HttpRequestMessage(HttpMethod.Get, "/static.txt") { Headers = { Range = new RangeHeaderValue(1000, 2000) } };
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await client.SendAsync(outside, Cancel)).StatusCode);
    }

    [Fact]
    public async Task Head_has_the_headers_and_no_body_and_unknown_extensions_get_the_default_type()
    {
        using var client = fixture.Server.Client();
        using var head = new HttpRequestMessage(HttpMethod.Head, "/static.txt");
        var response = await client.SendAsync(head, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(25, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Cancel));

        var unknown = await client.GetAsync("/page.unknownext", Cancel);
        Assert.Equal("application/octet-stream", unknown.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Missing_file_gets_the_custom_error_page_with_404_and_a_server_without_one_the_default_page()
    {
        using var client = fixture.Server.Client();
        var missing = await client.GetAsync("/no/such/file", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("custom not found page", await missing.Content.ReadAsStringAsync(Cancel));

        using var other = fixture.Server.Client(0, "other.test");
        var plain = await other.GetAsync("/no/such/file", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, plain.StatusCode);
        Assert.Contains("<h1>404 Not Found</h1>", await plain.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Access_log_gets_a_combined_line_per_request()
    {
        using var client = fixture.Server.Client();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("access-log-test/1.0");
        await client.GetAsync("/static.txt?logged=1", Cancel);
        var log = fixture.Site.PathOf("logs/access.log");
        string? line = null;
        await Eventually.TrueAsync(
            () => (line = File.Exists(log) ? File.ReadAllLines(log).FirstOrDefault(l => l.Contains("logged=1", StringComparison.Ordinal)) : null) is not null,
            "the line in the access log");
        Assert.Matches(@"^127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] ""GET /static\.txt\?logged=1 HTTP/1\.1"" 200 25 ""-"" ""access-log-test/1\.0""$", line);
    }

    [Fact]
    public async Task A_changed_file_is_served_fresh_with_new_validators()
    {
        using var client = fixture.Server.Client();
        fixture.Site.Write("default/changing.txt", "first");
        File.SetLastWriteTimeUtc(fixture.Site.PathOf("default/changing.txt"), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var first = await client.GetAsync("/changing.txt", Cancel);
        Assert.Equal("first", await first.Content.ReadAsStringAsync(Cancel));

        fixture.Site.Write("default/changing.txt", "second, longer");
        var second = await client.GetAsync("/changing.txt", Cancel);
        Assert.Equal("second, longer", await second.Content.ReadAsStringAsync(Cancel));
        Assert.NotEqual(first.Headers.ETag, second.Headers.ETag);
        Assert.NotEqual(first.Content.Headers.LastModified, second.Content.Headers.LastModified);
    }

    [Theory]
    [InlineData(16 * 1024)]
    [InlineData(16 * 1024 + 1)]
    [InlineData(300 * 1024)]
    public async Task Small_and_large_files_arrive_whole_with_their_length(int length)
    {
        var content = new string('a', length - 1) + "z";
        fixture.Site.Write($"default/sized-{length}.bin", content);
        using var client = fixture.Server.Client();
        var response = await client.GetAsync($"/sized-{length}.bin", Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(length, response.Content.Headers.ContentLength);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(content, await response.Content.ReadAsStringAsync(Cancel));
    }
}

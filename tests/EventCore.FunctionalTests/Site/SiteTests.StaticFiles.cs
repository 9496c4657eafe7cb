using System.Net;
using System.Net.Http.Headers;

namespace EventCore.FunctionalTests.Site;

/// <summary>Static site: default document, content types, directory listing, conditional requests, ranges, compression.</summary>
public abstract partial class SiteTests
{
    [Theory(Timeout = TestTimeout)]
    [InlineData("/", "text/html")]
    [InlineData("/site.css", "text/css")]
    [InlineData("/logo.svg", "image/svg+xml")]
    [InlineData("/files/readme.txt", "text/plain")]
    [InlineData("/files/data.json", "application/json")]
    public async Task StaticFilesHaveTheirContentType(string path, string contentType)
    {
        var ct = TestContext.Current.CancellationToken;

        using var response = await Client.GetAsync(path, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.ETag);
        Assert.NotNull(response.Content.Headers.LastModified);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task IndexPageLinksTheStylesheetAndTheLogo()
    {
        var ct = TestContext.Current.CancellationToken;

        var html = await Client.GetStringAsync("/", ct);

        Assert.Contains("/site.css", html, StringComparison.Ordinal);
        Assert.Contains("/logo.svg", html, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task FilesFolderHasADirectoryListing()
    {
        var ct = TestContext.Current.CancellationToken;

        using var response = await Client.GetAsync("/files/", ct);
        var html = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("readme.txt", html, StringComparison.Ordinal);
        Assert.Contains("data.json", html, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ConditionalRequestsAre304WithoutABody()
    {
        var ct = TestContext.Current.CancellationToken;
        using var first = await Client.GetAsync("/site.css", ct);

        using var byETag = new HttpRequestMessage(HttpMethod.Get, "/site.css");
        byETag.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var notModified = await Client.SendAsync(byETag, ct);
        using var byDate = new HttpRequestMessage(HttpMethod.Get, "/site.css");
        byDate.Headers.IfModifiedSince = first.Content.Headers.LastModified;
        using var notModifiedSince = await Client.SendAsync(byDate, ct);

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(first.Headers.ETag, notModified.Headers.ETag);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(ct));
        Assert.Equal(HttpStatusCode.NotModified, notModifiedSince.StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task RangeIs206AndAnUnsatisfiableRangeIs416()
    {
        var ct = TestContext.Current.CancellationToken;
        var whole = await Client.GetByteArrayAsync("/files/readme.txt", ct);

        using var range = new HttpRequestMessage(HttpMethod.Get, "/files/readme.txt");
        range.Headers.Range = new RangeHeaderValue(5, 14);
        using var partial = await Client.SendAsync(range, ct);
        using var beyond = new HttpRequestMessage(HttpMethod.Get, "/files/readme.txt");
        beyond.Headers.Range = new RangeHeaderValue(whole.Length + 10, null);
        using var unsatisfiable = await Client.SendAsync(beyond, ct);

        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal($"bytes 5-14/{whole.Length}", partial.Content.Headers.ContentRange?.ToString());
        Assert.Equal(whole[5..15], await partial.Content.ReadAsByteArrayAsync(ct));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.Equal($"bytes */{whole.Length}", unsatisfiable.Content.Headers.ContentRange?.ToString());
    }

    [Fact(Timeout = TestTimeout)]
    public async Task PagesAreCompressedButPlaintextIsNot()
    {
        var ct = TestContext.Current.CancellationToken;
        var index = await Client.GetByteArrayAsync("/", ct);

        using var page = new HttpRequestMessage(HttpMethod.Get, "/");
        page.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var compressed = await Client.SendAsync(page, ct);
        await using var gzip = new System.IO.Compression.GZipStream(await compressed.Content.ReadAsStreamAsync(ct), System.IO.Compression.CompressionMode.Decompress);
        using var inflated = new MemoryStream();
        await gzip.CopyToAsync(inflated, ct);
        using var plain = new HttpRequestMessage(HttpMethod.Get, "/plaintext");
        plain.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var plaintext = await Client.SendAsync(plain, ct);

        Assert.Equal(["gzip"], compressed.Content.Headers.ContentEncoding);
        Assert.Equal(index, inflated.ToArray());
        Assert.Empty(plaintext.Content.Headers.ContentEncoding);
        Assert.Equal("Hello, World!", await plaintext.Content.ReadAsStringAsync(ct));
        Assert.False(plaintext.Headers.Contains("Set-Cookie"));
        Assert.False(plaintext.Headers.Contains("Vary"));
    }
}

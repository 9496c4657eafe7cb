using System.Net;
using EventCore.Sites.Tests.Support;

namespace EventCore.Sites.Tests.EndToEnd;

/// <summary>The demo config and site of the Webserv host (src/EventCore.Webserv/conf), served on a free port instead of 8080.</summary>
public sealed class DemoTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Demo_serves_index_css_image_autoindex_redirect_custom_404_upload_form_php_and_python()
    {
        Interpreters.Need(Interpreters.PhpCgi, Interpreters.Python);
        await using var demo = await DemoServer.StartAsync();
        using var client = demo.Client();

        Assert.Contains("EventCore webserv", await client.GetStringAsync("/", Cancel), StringComparison.Ordinal);
        Assert.Equal("text/css", (await client.GetAsync("/style.css", Cancel)).Content.Headers.ContentType!.MediaType);
        var logo = await client.GetAsync("/logo.png", Cancel);
        Assert.Equal("image/png", logo.Content.Headers.ContentType!.MediaType);
        Assert.Equal(0x89, (await logo.Content.ReadAsByteArrayAsync(Cancel))[0]);
        Assert.Contains("readme.txt", await client.GetStringAsync("/files/", Cancel), StringComparison.Ordinal);
        Assert.Equal("text/markdown", (await client.GetAsync("/files/notes.md", Cancel)).Content.Headers.ContentType!.MediaType);
        var old = await client.GetAsync("/old", Cancel);
        Assert.Equal((HttpStatusCode.MovedPermanently, "/"), (old.StatusCode, old.Headers.Location!.OriginalString));
        var missing = await client.GetAsync("/no-such-page", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("404: nothing here", await missing.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Contains("multipart/form-data", await client.GetStringAsync("/upload.html", Cancel), StringComparison.Ordinal);
        Assert.Contains("Hello, PHP, from PHP", await client.GetStringAsync("/cgi/hello.php?name=PHP", Cancel), StringComparison.Ordinal);
        Assert.Contains("Hello, Python, from Python", await client.GetStringAsync("/cgi/hello.py?name=Python", Cancel), StringComparison.Ordinal);

        var name = "demo-" + Guid.NewGuid().ToString("N") + ".txt";
        Assert.Equal(HttpStatusCode.Created, (await client.PutAsync("/uploads/" + name, new StringContent("hi"), Cancel)).StatusCode);
        Assert.Contains(name, await client.GetStringAsync("/uploads/", Cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/uploads/" + name, Cancel)).StatusCode);
    }
}

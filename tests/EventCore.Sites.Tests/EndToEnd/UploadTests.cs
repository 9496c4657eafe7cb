using System.Net;
using System.Net.Http.Headers;
using EventCore.Sites.Tests.Support;

namespace EventCore.Sites.Tests.EndToEnd;

public sealed class UploadTests(SitesFixture fixture) : IClassFixture<SitesFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Put_creates_201_then_replaces_204_get_reads_it_delete_removes_204_then_404()
    {
        using var client = fixture.Server.Client();
        var created = await client.PutAsync("/upload/put.txt", new StringContent("first"), Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/upload/put.txt", created.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsync("/upload/put.txt", new StringContent("second"), Cancel)).StatusCode);
        Assert.Equal("second", await File.ReadAllTextAsync(Path.Combine(fixture.Store, "put.txt"), Cancel));
        Assert.Equal("second", await client.GetStringAsync("/upload/put.txt", Cancel));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/upload/put.txt", Cancel)).StatusCode);
        Assert.False(File.Exists(Path.Combine(fixture.Store, "put.txt")));
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync("/upload/put.txt", Cancel)).StatusCode);
    }

    [Fact]
    public async Task Delete_of_a_folder_or_of_a_name_that_is_not_plain_is_403()
    {
        Directory.CreateDirectory(Path.Combine(fixture.Store, "folder"));
        using var client = fixture.Server.Client();
        Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync("/upload/folder", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync("/upload/", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync("/upload/.hidden", Cancel)).StatusCode);
        Assert.True(Directory.Exists(Path.Combine(fixture.Store, "folder")));
    }

    [Fact]
    public async Task Multipart_post_stores_each_file_under_a_sanitised_name_without_overwriting()
    {
        using var client = fixture.Server.Client();
        for (var round = 0; round < 2; round++)
        {
            using var form = new MultipartFormDataContent
            {
                { new StringContent("field value"), "comment" },
                { new ByteArrayContent("evil content"u8.ToArray()), "file", "../../evil?name.txt" },
            };
            var response = await client.PostAsync("/upload/", form, Cancel);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal(round == 0 ? "evil_name.txt\n" : "evil_name-1.txt\n", await response.Content.ReadAsStringAsync(Cancel));
        }

        Assert.Equal("evil content", await File.ReadAllTextAsync(Path.Combine(fixture.Store, "evil_name-1.txt"), Cancel));
        Assert.False(File.Exists(Path.Combine(fixture.Site.Path, "evil_name.txt")));
    }

    [Fact]
    public async Task Raw_post_is_stored_under_the_name_in_the_uri()
    {
        using var client = fixture.Server.Client();
        var response = await client.PostAsync("/upload/raw.bin", new ByteArrayContent([1, 2, 3]), Cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(new byte[] { 1, 2, 3 }, await File.ReadAllBytesAsync(Path.Combine(fixture.Store, "raw.bin"), Cancel));
    }

    [Fact]
    public async Task Client_max_body_size_413_for_declared_and_chunked_bodies_and_at_once_for_100_continue()
    {
        using var client = fixture.Server.Client();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/small/ok.txt", new ByteArrayContent(new byte[100]), Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.PostAsync("/small/big.txt", new ByteArrayContent(new byte[101]), Cancel)).StatusCode);

        var chunked = new StreamContent(new MemoryStream(new byte[5000]));
        chunked.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/small/chunked.txt") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.SendAsync(request, Cancel)).StatusCode);
        Assert.False(File.Exists(fixture.Site.PathOf("small/chunked.txt")));

        // The client waits for 100 Continue before sending the body: the 413 must come at once instead.
        await using var raw = await RawClient.ConnectAsync(fixture.Server.Ports[0]);
        await raw.WriteAsync("POST /small/x HTTP/1.1\r\nHost: default.test\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n");
        var head = await raw.ReadHeadAsync();
        Assert.StartsWith("HTTP/1.1 413 ", head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_body_leaves_nothing_behind()
    {
        await using (var raw = await RawClient.ConnectAsync(fixture.Server.Ports[0]))
        {
            await raw.WriteAsync("PUT /upload/cut.bin HTTP/1.1\r\nHost: default.test\r\nContent-Length: 10000000\r\n\r\n");
            await raw.WriteAsync(new byte[256 * 1024]);

            // Wait until the server has the body streaming into its temporary file, then vanish.
            await Eventually.TrueAsync(() => Directory.EnumerateFiles(fixture.Store, ".upload-*").Any(), "the body to stream into a temporary file");
            raw.Reset();
        }

        await Eventually.TrueAsync(() => !Directory.EnumerateFiles(fixture.Store, ".upload-*").Any(), "the temporary file to be deleted");
        Assert.False(File.Exists(Path.Combine(fixture.Store, "cut.bin")));

        // And the server goes on serving.
        using var client = fixture.Server.Client();
        Assert.Equal("default index", await client.GetStringAsync("/", Cancel));
    }

    [Fact]
    public async Task Large_upload_streams_to_disk()
    {
        using var client = fixture.Server.Client();
        var content = new StreamContent(new PatternStream(32 * 1024 * 1024));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var response = await client.PutAsync("/upload/large.bin", content, Cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(32 * 1024 * 1024, new FileInfo(Path.Combine(fixture.Store, "large.bin")).Length);
        File.Delete(Path.Combine(fixture.Store, "large.bin"));
    }
}

using System.Net;
using System.Net.Http.Headers;
using EventCore.Sites.Tests.Support;

namespace EventCore.Sites.Tests.Tester42;

/// <summary>A replica of the 42 webserv tester's requests against its expected configuration (<see cref="Tester42Fixture"/>).</summary>
public sealed class Tester42Tests(Tester42Fixture fixture) : IClassFixture<Tester42Fixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/", 200, "42 index")]
    [InlineData("/directory/", 200, "youpi bad extension")]
    [InlineData("/directory/youpi.bad_extension", 200, "youpi bad extension")]
    [InlineData("/directory/oulalala", 404, null)]
    [InlineData("/directory/nop", 301, null)]
    [InlineData("/directory/nop/", 200, "nop youpi")]
    [InlineData("/directory/nop/other.pouic", 200, "pouic")]
    [InlineData("/directory/nop/other.pouac", 404, null)]
    [InlineData("/directory/Yeah", 301, null)]
    [InlineData("/directory/Yeah/", 403, null)]
    [InlineData("/directory/Yeah/not_happy.bad_extension", 200, "not happy")]
    public async Task Get(string path, int status, string? body)
    {
        using var client = fixture.Server.Client(0, "localhost");
        var response = await client.GetAsync(path, Cancel);
        Assert.Equal(status, (int)response.StatusCode);
        if (body is not null)
        {
            Assert.Equal(body, await response.Content.ReadAsStringAsync(Cancel));
        }
    }

    [Fact]
    public async Task Root_is_get_only()
    {
        using var client = fixture.Server.Client(0, "localhost");
        var post = await client.PostAsync("/", new ByteArrayContent([]), Cancel);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        using var head = new HttpRequestMessage(HttpMethod.Head, "/");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.SendAsync(head, Cancel)).StatusCode);
    }

    [Fact]
    public async Task Cgi_bla_runs_for_get_and_upper_cases_a_post()
    {
        Interpreters.Need(Interpreters.Python);
        using var client = fixture.Server.Client(0, "localhost");
        var get = await client.GetAsync("/directory/youpi.bla", Cancel);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);

        var body = new string('x', 100_000) + "abc";
        var post = await client.PostAsync("/directory/youpi.bla", new StringContent(body), Cancel);
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(body.ToUpperInvariant(), await post.Content.ReadAsStringAsync(Cancel));

        var anywhere = await client.PostAsync("/youpi.bla", new StringContent("root bla"), Cancel);
        Assert.Equal("ROOT BLA", await anywhere.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task Put_test_creates_then_replaces_a_10_MB_file()
    {
        using var client = fixture.Server.Client(0, "localhost");
        var created = await client.PutAsync("/put_test/file_should_exist_after", new ByteArrayContent(new byte[1000]), Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var replaced = await client.PutAsync("/put_test/file_should_exist_after", new StreamContent(new PatternStream(10_000_000)), Cancel);
        Assert.Equal(HttpStatusCode.NoContent, replaced.StatusCode);
        Assert.Equal(10_000_000, new FileInfo(fixture.Site.PathOf("put_store/file_should_exist_after")).Length);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.GetAsync("/put_test/file_should_exist_after", Cancel)).StatusCode);
    }

    [Theory]
    [InlineData(0, 200)]
    [InlineData(100, 200)]
    [InlineData(101, 413)]
    public async Task Post_body_is_limited_to_100_bytes(int size, int status)
    {
        using var client = fixture.Server.Client(0, "localhost");
        var response = await client.PostAsync("/post_body", new ByteArrayContent(new byte[size]), Cancel);
        Assert.Equal(status, (int)response.StatusCode);
    }

    [Fact]
    public async Task Chunked_100_MB_post_to_youpi_bla_comes_back_upper_cased()
    {
        Interpreters.Need(Interpreters.Python);
        const long Size = 100L * 1024 * 1024;
        using var client = fixture.Server.Client(0, "localhost");
        var content = new StreamContent(new LetterStream(Size));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/directory/youpi.bla") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await using var body = await response.Content.ReadAsStreamAsync(Cancel);
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, Cancel)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)('A' + ((total + i) % 26)))
                {
                    Assert.Fail($"byte {total + i} is '{(char)buffer[i]}', not the upper-cased input");
                }
            }

            total += read;
        }

        Assert.Equal(Size, total);
    }

    [Fact]
    public async Task Stress_concurrent_clients_get_every_answer_right()
    {
        Interpreters.Need(Interpreters.Python);
        var clients = Enumerable.Range(0, 20).Select(async c =>
        {
            using var client = fixture.Server.Client(0, "localhost");
            for (var i = 0; i < 25; i++)
            {
                Assert.Equal("42 index", await client.GetStringAsync("/", Cancel));
                Assert.Equal("youpi bad extension", await client.GetStringAsync("/directory/", Cancel));
                if (i % 5 == 0)
                {
                    var post = await client.PostAsync("/directory/youpi.bla", new StringContent($"client {c} request {i}"), Cancel);
                    Assert.Equal($"CLIENT {c} REQUEST {i}", await post.Content.ReadAsStringAsync(Cancel));
                }
            }
        });
        await Task.WhenAll(clients);
    }

    /// <summary>a, b, ... z, a, ... made as read.</summary>
    private sealed class LetterStream(long length) : PatternStreamBase(length)
    {
        protected override byte At(long position) => (byte)('a' + (position % 26));
    }
}

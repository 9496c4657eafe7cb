using System.Net;
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
        // The CGI streams: its output comes back while the body is still going in, so the client must read while it
        // writes (as the 42 tester and curl do; HttpClient over HTTP/1.1 sends the whole body first).
        Interpreters.Need(Interpreters.Python);
        const long Size = 100L * 1024 * 1024;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        await using var client = await RawClient.ConnectAsync(fixture.Server.Ports[0]);
        await client.WriteAsync("POST /directory/youpi.bla HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n");
        var sending = Task.Run(() => SendChunkedAsync(client.Stream, Size, timeout.Token), timeout.Token);

        var reader = new ChunkedBodyReader(client.Stream);
        var head = await reader.ReadHeadAsync(timeout.Token);
        Assert.StartsWith("HTTP/1.1 200 ", head, StringComparison.Ordinal);
        Assert.Contains("Transfer-Encoding: chunked", head, StringComparison.OrdinalIgnoreCase);
        long checkedBytes = 0;
        var total = await reader.ReadChunkedBodyAsync(
            data =>
            {
                var span = data.Span;
                for (var i = 0; i < span.Length; i++)
                {
                    if (span[i] != (byte)('A' + ((checkedBytes + i) % 26)))
                    {
                        Assert.Fail($"byte {checkedBytes + i} is '{(char)span[i]}', not the upper-cased input");
                    }
                }

                checkedBytes += span.Length;
            },
            timeout.Token);
        await sending;
        Assert.Equal(Size, total);
    }

    /// <summary>Sends a, b, ... z, a, ... as 64 KiB chunks, then the last chunk.</summary>
    private static async Task SendChunkedAsync(Stream stream, long size, CancellationToken cancellation)
    {
        var data = new byte[64 * 1024];
        for (long sent = 0; sent < size; sent += data.Length)
        {
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = (byte)('a' + ((sent + i) % 26));
            }

            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"{data.Length:x}\r\n"), cancellation);
            await stream.WriteAsync(data, cancellation);
            await stream.WriteAsync("\r\n"u8.ToArray(), cancellation);
        }

        await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), cancellation);
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
}

using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Tests;

public sealed class SendFileTests : IDisposable
{
    private readonly string _path = Path.GetTempFileName();

    public SendFileTests() => File.WriteAllText(_path, "0123456789abcdefghij");

    public void Dispose() => File.Delete(_path);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SendFile_copies_the_range_with_or_without_content_length(bool setLength)
    {
        await using var host = await ServerHost.StartAsync(ctx =>
        {
            if (setLength)
            {
                ctx.Response.ContentLength = 5;
            }

            return ctx.Features.Get<IHttpResponseBodyFeature>()!.SendFileAsync(_path, 10, 5, ctx.RequestAborted);
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        for (var i = 0; i < 2; i++)
        {
            var response = await client.ReadResponseAsync();
            Assert.Equal("abcde", response.Body);
            Assert.Equal(!setLength, response.WasChunked);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SendFile_without_sendfile_copies_a_large_range_in_chunks(bool setLength)
    {
        var content = string.Concat(Enumerable.Range(0, 40_000).Select(i => (char)('a' + (i % 26))));
        File.WriteAllText(_path, content);
        const int Offset = 7;
        var count = content.Length - 100;
        await using var host = await ServerHost.StartAsync(ctx =>
        {
            if (setLength)
            {
                ctx.Response.ContentLength = count;
            }

            return ctx.Response.SendFileAsync(_path, Offset, count, ctx.RequestAborted);
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(content.Substring(Offset, count), response.Body);
        Assert.Equal(!setLength, response.WasChunked);
    }

    [Fact]
    public async Task SendFile_of_a_file_shorter_than_the_range_cuts_the_response_and_closes()
    {
        await using var host = await ServerHost.StartAsync(ctx =>
        {
            ctx.Response.ContentLength = 100;
            return ctx.Response.SendFileAsync(_path, 0, 100, ctx.RequestAborted);
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        var received = await client.ReadToEndAsync(); // returns once the server closed
        Assert.StartsWith("HTTP/1.1 200 OK", received, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 100\r\n", received, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n0123456789abcdefghij", received, StringComparison.Ordinal); // 20 of 100 bytes: visibly truncated
        Assert.Contains(host.Logs.Records, r => r.Exception is IOException);
    }

    [Fact]
    public async Task SendFile_whole_file_through_the_extension()
    {
        await using var host = await ServerHost.StartAsync(ctx => ctx.Response.SendFileAsync(_path));
        using var http = host.CreateClient();
        Assert.Equal("0123456789abcdefghij", await http.GetStringAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken));
    }
}

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

    [Fact]
    public async Task SendFile_whole_file_through_the_extension()
    {
        await using var host = await ServerHost.StartAsync(ctx => ctx.Response.SendFileAsync(_path));
        using var http = host.CreateClient();
        Assert.Equal("0123456789abcdefghij", await http.GetStringAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken));
    }
}

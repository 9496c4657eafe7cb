using System.Text;
using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Tests;

/// <summary>The server on its default transport (epoll): the main paths, and SendFileAsync through sendfile(2).</summary>
public sealed class EpollTransportTests : IDisposable
{
    private readonly string _path = Path.GetTempFileName();

    public EpollTransportTests() => File.WriteAllText(_path, new string('f', 100_000) + "END");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public async Task Plaintext_keep_alive_and_pipelining()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Echo, defaultTransport: true);
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("GET /one []", (await client.ReadResponseAsync()).Body);
        var batch = new StringBuilder();
        for (var i = 0; i < 16; i++)
        {
            batch.Append(FormattableString.Invariant($"POST /p{i} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{i % 10}!"));
        }

        await client.SendAsync(batch.ToString());
        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(FormattableString.Invariant($"POST /p{i} [{i % 10}!]"), (await client.ReadResponseAsync()).Body);
        }
    }

    [Fact]
    public async Task Large_upload_with_HttpClient()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Echo, defaultTransport: true);
        using var http = host.CreateClient();
        var payload = new string('u', 1_000_000);
        var response = await http.PostAsync(new Uri("/up", UriKind.Relative), new StringContent(payload), TestContext.Current.CancellationToken);
        Assert.Equal($"POST /up [{payload}]", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SendFile_uses_sendfile_with_content_length()
    {
        var length = new FileInfo(_path).Length;
        await using var host = await ServerHost.StartAsync(
            async ctx =>
            {
                ctx.Response.ContentLength = length;
                await ctx.Response.WriteAsync(string.Empty);
                await ctx.Features.Get<IHttpResponseBodyFeature>()!.SendFileAsync(_path, 0, length, ctx.RequestAborted);
            },
            defaultTransport: true);
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        for (var i = 0; i < 2; i++)
        {
            var response = await client.ReadResponseAsync();
            Assert.Equal(length, response.Body.Length);
            Assert.EndsWith("END", response.Body, StringComparison.Ordinal);
        }

        Assert.Equal(2, host.Logs.Records.Count(r => r.Message.Contains("with the transport's sendfile", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Shutdown_closes_idle_connections()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, defaultTransport: true);
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).StatusCode);
        await host.StopAsync(TimeSpan.FromSeconds(30));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task RequestAborted_fires_when_the_client_disconnects()
    {
        var started = new TaskCompletionSource();
        var aborted = new TaskCompletionSource();
        await using var host = await ServerHost.StartAsync(
            async ctx =>
            {
                ctx.RequestAborted.Register(() => aborted.TrySetResult());
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            },
            defaultTransport: true);
        using (var client = await host.ConnectAsync())
        {
            await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }

        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }
}

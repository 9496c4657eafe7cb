using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace EventCore.Server.Tests;

public class TimeoutTests
{
    [Fact]
    public async Task Request_headers_timeout_answers_408_and_closes()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(1));
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(408, response.StatusCode);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Keep_alive_timeout_closes_an_idle_connection_quietly()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(1));
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).StatusCode);
        Assert.Equal(string.Empty, await client.ReadToEndAsync());
    }

    [Fact]
    public async Task Slow_request_body_is_aborted_with_408()
    {
        var failure = new TaskCompletionSource<Exception>();
        await using var host = await ServerHost.StartAsync(
            async ctx =>
            {
                try
                {
                    await ctx.Request.Body.CopyToAsync(Stream.Null);
                }
                catch (Exception ex)
                {
                    failure.TrySetResult(ex);
                    throw;
                }
            },
            o =>
            {
                o.Limits.MinRequestBodyDataRate = new(1000, TimeSpan.FromSeconds(1.5));
            });
        using var client = await host.ConnectAsync();
        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc");
        var ex = await failure.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(408, Assert.IsType<BadHttpRequestException>(ex).StatusCode);
        var response = await client.ReadResponseAsync();
        Assert.Equal(408, response.StatusCode);
    }

    [Fact]
    public async Task RequestAborted_fires_when_the_client_disconnects()
    {
        var started = new TaskCompletionSource();
        var aborted = new TaskCompletionSource();
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            ctx.RequestAborted.Register(() => aborted.TrySetResult());
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        using (var client = await host.ConnectAsync())
        {
            await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }

        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }
}

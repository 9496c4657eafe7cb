using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace EventCore.Server.Tests;

public class ShutdownTests
{
    [Fact]
    public async Task Stop_lets_the_request_in_flight_finish_with_connection_close_and_closes_idle_connections()
    {
        var inFlight = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            if (ctx.Request.Path == "/slow")
            {
                inFlight.TrySetResult();
                await release.Task;
            }

            await ctx.Response.WriteAsync("done");
        });
        using var idle = await host.ConnectAsync();
        await idle.SendAsync("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("done", (await idle.ReadResponseAsync()).Body);

        using var busy = await host.ConnectAsync();
        await busy.SendAsync("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        await inFlight.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        var stop = host.StopAsync(TimeSpan.FromSeconds(30));
        Assert.True(await idle.IsClosedByServerAsync());
        Assert.False(stop.IsCompleted);
        release.SetResult();
        var response = await busy.ReadResponseAsync();
        Assert.Equal("done", response.Body);
        Assert.Equal("close", response.Header("Connection"));
        await stop.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.True(await busy.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Stop_aborts_requests_that_outlive_the_token()
    {
        var inFlight = new TaskCompletionSource();
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            inFlight.TrySetResult();
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        using var busy = await host.ConnectAsync();
        await busy.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await inFlight.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await host.StopAsync(TimeSpan.FromMilliseconds(500)).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.True(await busy.IsClosedByServerAsync());
    }
}

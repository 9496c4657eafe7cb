using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

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

    [Fact]
    public async Task During_the_shutdown_delay_new_connections_are_served_with_connection_close_then_the_stop_proceeds()
    {
        var time = new FakeTimeProvider();
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.ShutdownDelay = TimeSpan.FromSeconds(15), time: time);
        using var idle = await host.ConnectAsync();
        await idle.SendAsync(Get);
        Assert.Null((await idle.ReadResponseAsync()).Header("Connection"));

        var stop = host.StopAsync(TestContext.Current.CancellationToken);

        // Still accepting: a new connection is served, and told to close after its response.
        using var late = await host.ConnectAsync();
        await late.SendAsync(Get);
        var lateResponse = await late.ReadResponseAsync();
        Assert.Equal((200, "close"), (lateResponse.StatusCode, lateResponse.Header("Connection")));

        // The idle keep-alive connection is left alone during the delay; its next response is its last.
        Assert.False(await idle.IsClosedByServerAsync(TimeSpan.FromMilliseconds(200)));
        Assert.False(stop.IsCompleted);
        await idle.SendAsync(Get);
        Assert.Equal("close", (await idle.ReadResponseAsync()).Header("Connection"));

        time.Advance(TimeSpan.FromSeconds(15));
        await stop.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(host.ConnectAsync);
    }

    [Fact]
    public async Task The_shutdown_delay_ends_early_when_the_hosts_token_fires()
    {
        var time = new FakeTimeProvider();
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.ShutdownDelay = TimeSpan.FromHours(1), time: time);
        using var hostToken = new CancellationTokenSource();

        var stop = host.StopAsync(hostToken.Token);
        Assert.False(stop.IsCompleted);
        await hostToken.CancelAsync();

        await stop.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(host.ConnectAsync);
    }

    private const string Get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
}

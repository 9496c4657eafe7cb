using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace EventCore.Server.Tests;

/// <summary>MaxConnectionAge on a fake clock: connections end gracefully at a request boundary once they are old enough.</summary>
public class ConnectionAgeTests
{
    private const string Get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    [Fact]
    public async Task After_its_age_the_next_response_says_close_and_the_connection_closes()
    {
        var time = new FakeTimeProvider();
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.Limits.MaxConnectionAge = TimeSpan.FromMinutes(10), time: time);
        using var client = await host.ConnectAsync();

        await client.SendAsync(Get + Get);
        var young = new[] { await client.ReadResponseAsync(), await client.ReadResponseAsync() };
        time.Advance(TimeSpan.FromMinutes(10));
        await client.SendAsync(Get + Get);
        var last = await client.ReadResponseAsync();

        Assert.All(young, r => Assert.Null(r.Header("Connection")));
        Assert.Equal((200, "close"), (last.StatusCode, last.Header("Connection")));
        Assert.Equal("Hello, World!", last.Body);
        Assert.True(await client.IsClosedByServerAsync(), "The pipelined request after the last response must not be served.");
    }

    [Fact]
    public async Task A_request_in_flight_when_the_age_passes_completes_and_is_the_last()
    {
        var time = new FakeTimeProvider();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ServerHost.StartAsync(
            async ctx =>
            {
                started.TrySetResult();
                await release.Task;
                await ctx.Response.WriteAsync(new string('x', 100_000));
            },
            o => o.Limits.MaxConnectionAge = TimeSpan.FromMinutes(1),
            time: time);
        using var client = await host.ConnectAsync();
        await client.SendAsync(Get);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        time.Advance(TimeSpan.FromMinutes(2));
        release.SetResult();
        var response = await client.ReadResponseAsync();

        Assert.Equal("close", response.Header("Connection"));
        Assert.Equal(100_000, response.Body.Length);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Ages_are_spread_so_connections_opened_together_do_not_all_close_together()
    {
        const int Count = 11;
        var time = new FakeTimeProvider();
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.Limits.MaxConnectionAge = TimeSpan.FromMinutes(100), time: time);
        var clients = new List<RawClient>();
        try
        {
            for (var i = 0; i < Count; i++)
            {
                clients.Add(await host.ConnectAsync());
                await clients[^1].SendAsync(Get);
                Assert.Null((await clients[^1].ReadResponseAsync()).Header("Connection"));
            }

            time.Advance(TimeSpan.FromMinutes(89)); // below 90 %: none is old enough
            Assert.Equal(0, await CountClosingAsync(clients));
            time.Advance(TimeSpan.FromMinutes(6)); // 95 %: some are, some are not
            var atNinetyFive = await CountClosingAsync(clients);
            Assert.InRange(atNinetyFive, 1, Count - 1);
            time.Advance(TimeSpan.FromMinutes(5)); // 100 %: every one is
            Assert.Equal(Count - atNinetyFive, await CountClosingAsync(clients));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        static async Task<int> CountClosingAsync(List<RawClient> clients)
        {
            var closing = 0;
            foreach (var client in clients.ToList())
            {
                await client.SendAsync(Get);
                if ((await client.ReadResponseAsync()).Header("Connection") == "close")
                {
                    closing++;
                    clients.Remove(client);
                    client.Dispose();
                }
            }

            return closing;
        }
    }

    [Fact]
    public async Task Without_the_option_connections_live_on()
    {
        var time = new FakeTimeProvider();
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, time: time);
        using var client = await host.ConnectAsync();
        await client.SendAsync(Get);
        await client.ReadResponseAsync();

        time.Advance(TimeSpan.FromDays(365));
        await client.SendAsync(Get);

        Assert.Null((await client.ReadResponseAsync()).Header("Connection"));
    }
}

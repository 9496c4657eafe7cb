using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Tests;

/// <summary>
/// Kestrel's connection instruments under EventCore's names: kinds, units, endpoint tags, and the connection's end
/// reason as <c>error.type</c> (docs/metrics.md). Each case runs its own server and reads only its port's measurements.
/// </summary>
public class ConnectionMetricsTests
{
    private const string Get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    [Fact]
    public async Task A_served_connection_is_active_queued_then_measured_with_Kestrels_tags()
    {
        using var recorder = new MeasurementRecorder("EventCore.Server");
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext);
        using (var client = await host.ConnectAsync())
        {
            await client.SendAsync(Get);
            await client.ReadResponseAsync();
        }

        var duration = await recorder.WaitForAsync(host.Port, m => m.Name == "eventcore.connection.duration");
        var mine = recorder.For(host.Port);

        Assert.Equal(("s", "Histogram`1"), (duration.Unit, duration.Kind));
        Assert.Equal("127.0.0.1", duration.Tag("server.address"));
        Assert.Equal(("ipv4", "tcp"), (duration.Tag("network.type"), duration.Tag("network.transport")));
        Assert.Equal(("http", "1.1"), (duration.Tag("network.protocol.name"), duration.Tag("network.protocol.version")));
        Assert.Null(duration.Tag("error.type"));
        AssertBalanced(mine, "eventcore.active_connections", "{connection}");
        AssertBalanced(mine, "eventcore.queued_connections", "{connection}");
        Assert.DoesNotContain(mine, m => m.Name == "eventcore.rejected_connections");
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", "invalid_request_headers")]
    [InlineData("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", "invalid_request_line")]
    [InlineData("GET / HTTP/2.0\r\nHost: x\r\n\r\n", "invalid_http_version")]
    [InlineData("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "invalid_request_body")]
    [InlineData("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n", "max_request_body_size_exceeded")]
    public async Task A_refused_request_ends_its_connection_with_Kestrels_error_type(string request, string errorType)
    {
        using var recorder = new MeasurementRecorder("EventCore.Server");
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            await ctx.Request.Body.CopyToAsync(Stream.Null);
            await ctx.Response.WriteAsync("read");
        });
        using (var client = await host.ConnectAsync())
        {
            await client.SendAsync(request);
            Assert.True((await client.ReadResponseAsync()).StatusCode >= 400);
        }

        var duration = await recorder.WaitForAsync(host.Port, m => m.Name == "eventcore.connection.duration");
        Assert.Equal(errorType, duration.Tag("error.type"));
    }

    [Theory]
    [InlineData("/abort", "aborted_by_app")]
    [InlineData("/throw-after-start", "error_after_starting_response")]
    [InlineData("/short", "response_content_length_mismatch")]
    public async Task What_the_app_does_to_a_connection_is_its_end_reason(string path, string errorType)
    {
        using var recorder = new MeasurementRecorder("EventCore.Server");
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            switch (ctx.Request.Path.Value)
            {
                case "/abort":
                    ctx.Abort();
                    return;
                case "/short":
                    ctx.Response.ContentLength = 10;
                    await ctx.Response.WriteAsync("short");
                    return;
                default:
                    await ctx.Response.WriteAsync("partial");
                    await ctx.Response.Body.FlushAsync();
                    throw new InvalidOperationException("after start");
            }
        });
        using (var client = await host.ConnectAsync())
        {
            await client.SendAsync($"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
            await client.ReadToEndAsync();
        }

        var duration = await recorder.WaitForAsync(host.Port, m => m.Name == "eventcore.connection.duration");
        Assert.Equal(errorType, duration.Tag("error.type"));
    }

    [Fact]
    public async Task An_idle_connection_closed_by_the_keep_alive_timeout_says_so()
    {
        using var recorder = new MeasurementRecorder("EventCore.Server");
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.Limits.KeepAliveTimeout = TimeSpan.FromMilliseconds(500));
        using var client = await host.ConnectAsync();
        await client.SendAsync(Get);
        await client.ReadResponseAsync();
        Assert.True(await client.IsClosedByServerAsync());

        var duration = await recorder.WaitForAsync(host.Port, m => m.Name == "eventcore.connection.duration");
        Assert.Equal("keep_alive_timeout", duration.Tag("error.type"));
    }

    [Fact]
    public async Task A_rejected_connection_is_counted_and_measured_without_the_http_tags()
    {
        using var recorder = new MeasurementRecorder("EventCore.Server");
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.Limits.MaxConcurrentConnections = 1);
        using var admitted = await host.ConnectAsync();
        await admitted.SendAsync(Get);
        await admitted.ReadResponseAsync();
        await Record.ExceptionAsync(async () =>
        {
            // A reset may even beat the end of connect; the server refused the connection either way.
            using var refused = await host.ConnectAsync();
            await refused.SendTolerantAsync(Get);
            await refused.ReadToEndAsync();
        });

        var rejected = await recorder.WaitForAsync(host.Port, m => m.Name == "eventcore.rejected_connections");
        var duration = await recorder.WaitForAsync(host.Port, m => m.Name == "eventcore.connection.duration");

        Assert.Equal(("{connection}", "Counter`1", 1.0), (rejected.Unit, rejected.Kind, rejected.Value));
        Assert.Equal("max_concurrent_connections_exceeded", duration.Tag("error.type"));
        Assert.Null(duration.Tag("network.protocol.name"));
    }

    [Fact]
    public async Task Connections_aborted_at_the_end_of_the_shutdown_grace_period_say_so()
    {
        using var recorder = new MeasurementRecorder("EventCore.Server");
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            inFlight.TrySetResult();
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        using var busy = await host.ConnectAsync();
        await busy.SendAsync(Get);
        await inFlight.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        await host.StopAsync(TimeSpan.FromMilliseconds(200));

        var duration = await recorder.WaitForAsync(host.Port, m => m.Name == "eventcore.connection.duration");
        Assert.Equal("app_shutdown_timeout", duration.Tag("error.type"));
    }

    [Fact]
    public async Task An_upgraded_connection_is_counted_while_it_lasts()
    {
        using var recorder = new MeasurementRecorder("EventCore.Server");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            await ctx.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
            await release.Task;
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n");
        Assert.Equal(101, (await client.ReadResponseAsync(headRequest: true)).StatusCode);

        var up = await recorder.WaitForAsync(host.Port, m => m.Name == "eventcore.upgraded_connections");
        Assert.Equal(("{connection}", "UpDownCounter`1", 1.0), (up.Unit, up.Kind, up.Value));
        release.SetResult();
        await recorder.WaitForAsync(host.Port, m => m.Name == "eventcore.upgraded_connections" && m.Value == -1);
    }

    private static void AssertBalanced(IReadOnlyList<MeasurementRecorder.Measurement> measurements, string name, string unit)
    {
        var values = measurements.Where(m => m.Name == name).ToList();
        Assert.Equal([1.0, -1.0], values.Select(m => m.Value));
        Assert.All(values, m => Assert.Equal((unit, "UpDownCounter`1"), (m.Unit, m.Kind)));
        Assert.Equal(values[0].Tags.OrderBy(t => t.Key), values[1].Tags.OrderBy(t => t.Key));
    }
}

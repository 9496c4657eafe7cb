using System.Net.Sockets;
using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EventCore.Server.Tests;

/// <summary>
/// Minimum data rates, as in Kestrel: <see cref="EventCoreServerLimits.MinRequestBodyDataRate"/> and
/// <see cref="EventCoreServerLimits.MinResponseDataRate"/>, overridable per request through
/// <see cref="IHttpMinRequestBodyDataRateFeature"/> and <see cref="IHttpMinResponseDataRateFeature"/>.
/// </summary>
public class DataRateTests
{
    /// <summary>1 MB/s: a client that reads nothing falls behind within seconds of its kernel buffers filling.</summary>
    private static readonly MinDataRate s_fast = new(1_000_000, TimeSpan.FromSeconds(1.5));

    [Fact]
    public async Task Features_start_each_request_at_the_limits_and_changes_stay_in_their_request()
    {
        var seen = new List<string>();
        await using var host = await ServerHost.StartAsync(
            ctx =>
            {
                var request = ctx.Features.Get<IHttpMinRequestBodyDataRateFeature>()!;
                var response = ctx.Features.Get<IHttpMinResponseDataRateFeature>()!;
                seen.Add($"{request.MinDataRate?.BytesPerSecond} {response.MinDataRate?.BytesPerSecond}");
                request.MinDataRate = null;
                response.MinDataRate = new MinDataRate(1, TimeSpan.FromSeconds(10));
                return Task.CompletedTask;
            },
            o =>
            {
                o.Limits.MinRequestBodyDataRate = new(300, TimeSpan.FromSeconds(2));
                o.Limits.MinResponseDataRate = null;
            });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await client.ReadResponseAsync();
        await client.ReadResponseAsync();

        Assert.Equal(["300 ", "300 "], seen);
    }

    [Fact]
    public async Task A_request_body_rate_set_per_request_applies()
    {
        var failure = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ServerHost.StartAsync(
            async ctx =>
            {
                ctx.Features.Get<IHttpMinRequestBodyDataRateFeature>()!.MinDataRate = s_fast;
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
            o => o.Limits.MinRequestBodyDataRate = null);
        using var client = await host.ConnectAsync();
        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc");

        var ex = await failure.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(408, Assert.IsType<Microsoft.AspNetCore.Http.BadHttpRequestException>(ex).StatusCode);
        Assert.Equal(408, (await client.ReadResponseAsync()).StatusCode);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task A_client_that_does_not_read_its_response_is_cut_off(bool fromLimits, bool sendFile)
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var file = sendFile ? CreateLargeFile() : null;
        try
        {
            await using var host = await ServerHost.StartAsync(
                async ctx =>
                {
                    ctx.RequestAborted.Register(() => aborted.TrySetResult());
                    if (!fromLimits)
                    {
                        ctx.Features.Get<IHttpMinResponseDataRateFeature>()!.MinDataRate = s_fast;
                    }

                    await WriteLargeResponseAsync(ctx, file);
                },
                o => o.Limits.MinResponseDataRate = fromLimits ? s_fast : null,
                defaultTransport: sendFile);
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            await socket.ConnectAsync("127.0.0.1", host.Port, TestContext.Current.CancellationToken);
            await socket.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), SocketFlags.None);

            // Never read: the server's writes stall, and the heartbeat finds them too slow.
            var done = await Task.WhenAny(aborted.Task, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
            Assert.True(done == aborted.Task, string.Join("\n", host.Logs.Records.Select(r => $"{r.Category} {r.Level} {r.Message}")));
            Assert.Contains(host.Logs.Records, r => r.Message.Contains("MinResponseDataRate", StringComparison.Ordinal));
        }
        finally
        {
            if (file is not null)
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public void Rates_bind_from_configuration()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EventCore:Limits:MinRequestBodyDataRate:BytesPerSecond"] = "100",
            ["EventCore:Limits:MinRequestBodyDataRate:GracePeriod"] = "00:00:03",
            ["EventCore:Limits:MinResponseDataRate:BytesPerSecond"] = "0",
        });
        builder.WebHost.UseEventCore();
        using var app = builder.Build();
        var limits = app.Services.GetRequiredService<IOptions<EventCoreServerOptions>>().Value.Limits;

        Assert.Equal((100, TimeSpan.FromSeconds(3)), (limits.MinRequestBodyDataRate!.BytesPerSecond, limits.MinRequestBodyDataRate.GracePeriod));
        Assert.Null(limits.MinResponseDataRate);
    }

    private static async Task WriteLargeResponseAsync(HttpContext ctx, string? file)
    {
        const int Size = 64 * 1024 * 1024;
        ctx.Response.ContentLength = Size;
        if (file is not null)
        {
            await ctx.Response.SendFileAsync(file, ctx.RequestAborted);
            return;
        }

        var block = new byte[64 * 1024];
        for (var written = 0; written < Size && !ctx.RequestAborted.IsCancellationRequested; written += block.Length)
        {
            await ctx.Response.Body.WriteAsync(block, ctx.RequestAborted);
        }
    }

    private static string CreateLargeFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "eventcore-rate-" + Guid.NewGuid().ToString("N"));
        using var stream = File.Create(path);
        stream.SetLength(64 * 1024 * 1024);
        return path;
    }
}

using System.Net;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventCore.FunctionalTests;

/// <summary>
/// Kestrel's own HTTP layer on the epoll transport gets the same protection: with one loop and the default
/// (inline) scheduling, a request that blocks in app code does not stop a request on another connection.
/// </summary>
public sealed class KestrelOnEpollBlockingTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_blocked_request_does_not_stop_another_connection_of_its_loop()
    {
        using var released = new ManualResetEventSlim();
        var entered = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost
            .UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0))
            .UseEpollTransport(options => options.LoopCount = 1);
        await using WebApplication app = builder.Build();
        app.MapGet("/hello", () => "hello");
        app.MapGet("/block", () =>
        {
            entered.TrySetResult(Thread.CurrentThread.Name);
            released.Wait(); // a blocking wait, on whatever thread runs the request
            return "released";
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

        // Two clients, two connections; each sends a first request so that the next one arrives on the loop.
        using var blockedClient = new HttpClient { BaseAddress = address, Timeout = s_timeout };
        using var otherClient = new HttpClient { BaseAddress = address, Timeout = s_timeout };
        Assert.Equal("hello", await blockedClient.GetStringAsync(new Uri("/hello", UriKind.Relative), TestContext.Current.CancellationToken));
        Assert.Equal("hello", await otherClient.GetStringAsync(new Uri("/hello", UriKind.Relative), TestContext.Current.CancellationToken));

        Task<string> blocked = blockedClient.GetStringAsync(new Uri("/block", UriKind.Relative), TestContext.Current.CancellationToken);
        string? thread = await entered.Task.WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        Assert.StartsWith("EventCore epoll", thread, StringComparison.Ordinal);

        Assert.Equal("hello", await otherClient.GetStringAsync(new Uri("/hello", UriKind.Relative), TestContext.Current.CancellationToken));
        released.Set();
        Assert.Equal("released", await blocked.WaitAsync(s_timeout, TestContext.Current.CancellationToken));
        await app.StopAsync(TestContext.Current.CancellationToken);
    }
}

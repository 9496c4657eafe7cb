using System.Net;
using System.Net.Sockets;
using EventCore.Webserv;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace EventCore.Sites.Tests.Support;

/// <summary>
/// The Webserv host (EventCore on epoll, from a configuration file) running in the test process on real sockets.
/// The configuration text may name <c>{PORT0}</c>, <c>{PORT1}</c> (free loopback ports picked here) and
/// <c>{SITE}</c> (the folder it is written to).
/// </summary>
internal sealed class WebservServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebservServer(WebApplication app, int[] ports)
    {
        _app = app;
        Ports = ports;
    }

    public int[] Ports { get; }

    public static async Task<WebservServer> StartAsync(TempFolder site, string config, Action<WebApplicationBuilder>? configure = null)
    {
        int[] ports = [FreePort(), FreePort()];
        var text = config.Replace("{PORT0}", ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{PORT1}", ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{SITE}", site.Path, StringComparison.Ordinal);
        var app = WebservHost.Build(site.Write("webserv.conf", text), [], builder =>
        {
            builder.Logging.ClearProviders();
            configure?.Invoke(builder);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new WebservServer(app, ports);
    }

    /// <summary>A client for one port that sends <paramref name="host"/> as Host and follows no redirect.</summary>
    public HttpClient Client(int index = 0, string host = "default.test") => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{Ports[index]}/"),
        DefaultRequestHeaders = { Host = host },
        Timeout = TimeSpan.FromSeconds(60),
    };

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}

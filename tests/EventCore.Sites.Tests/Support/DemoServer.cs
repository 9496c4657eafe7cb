using EventCore.Server;
using EventCore.Webserv;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventCore.Sites.Tests.Support;

/// <summary>The Webserv host's demo (conf/webserv.conf and www/ beside the program) on a free loopback port instead of 8080.</summary>
internal sealed class DemoServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DemoServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<DemoServer> StartAsync()
    {
        var app = WebservHost.Build(WebservCommand.FindConfig(WebservCommand.DefaultConfig), [], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.Configure<EventCoreServerOptions>(o =>
            {
                o.Urls.Clear();
                o.Urls.Add("http://127.0.0.1:0");
            });
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DemoServer(app, new Uri(address));
    }

    public HttpClient Client() => new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = Address };

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}

using EventCore.Sites.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventCore.Sites.Tests.EndToEnd;

/// <summary>The sites in an ordinary ASP.NET Core app on Kestrel: the middleware does not need EventCore.</summary>
public sealed class KestrelTests
{
    [Fact]
    public async Task UseSites_serves_a_config_file_on_Kestrel()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var site = new TempFolder();
        site.Write("www/index.html", "kestrel index");
        var config = site.Write("site.conf", "server {\n  root www;\n  location = /r { return 302 /; }\n  location ~ \\.secret$ { return 403; }\n}\n");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddWebservConfig(config);
        builder.Services.AddSites();
        await using var app = builder.Build();
        app.UseSites();
        await app.StartAsync(cancel);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(address) };

        Assert.Equal("kestrel index", await client.GetStringAsync("/", cancel));
        Assert.Equal(System.Net.HttpStatusCode.Found, (await client.GetAsync("/r", cancel)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await client.GetAsync("/x.secret", cancel)).StatusCode);
        Assert.Equal(400, (await RawClient.GetAsync(new Uri(address).Port, "/../etc/passwd")).Status);
        await app.StopAsync(cancel);
    }
}

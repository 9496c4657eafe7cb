using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventCore.Server.Tests;

/// <summary>A real WebApplication on EventCore: UseEventCore, configuration binding, hosting URLs, Minimal APIs.</summary>
public class AspNetIntegrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static WebApplicationBuilder CreateBuilder(Dictionary<string, string?>? config = null, Action<EventCoreServerOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(config ?? []);
        builder.WebHost.UseEventCore(o =>
        {
            o.TransportFactory = sp => new SocketTransportFactory(Options.Create(new SocketTransportOptions()), sp.GetRequiredService<ILoggerFactory>());
            configure?.Invoke(o);
        });
        return builder;
    }

    [Fact]
    public async Task Minimal_api_json_and_body_binding()
    {
        var builder = CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/json", () => Results.Json(new Message("Hello, World!")));
        app.MapPost("/bind", (Message message) => Results.Ok(new Message(message.Text + "!")));
        await app.StartAsync(Ct);
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        Assert.Equal("Hello, World!", (await http.GetFromJsonAsync<Message>("/json", Ct))!.Text);
        var posted = await http.PostAsJsonAsync("/bind", new Message("hi"), Ct);
        Assert.Equal("hi!", (await posted.Content.ReadFromJsonAsync<Message>(Ct))!.Text);
        await app.StopAsync(Ct);
    }

    [Fact]
    public async Task Options_are_bound_from_the_EventCore_section()
    {
        var builder = CreateBuilder(new()
        {
            ["EventCore:Limits:MaxRequestBodySize"] = "4",
            ["EventCore:AddServerHeader"] = "false",
            ["EventCore:Urls:0"] = "http://127.0.0.1:0",
        });
        await using var app = builder.Build();
        app.MapPost("/", async (HttpContext ctx) => await ctx.Request.Body.CopyToAsync(Stream.Null));
        await app.StartAsync(Ct);
        var options = app.Services.GetRequiredService<IOptions<EventCoreServerOptions>>().Value;
        Assert.Equal(4, options.Limits.MaxRequestBodySize);
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        var response = await http.PostAsync(new Uri("/", UriKind.Relative), new StringContent("too long"), Ct);
        Assert.Equal(413, (int)response.StatusCode);
        Assert.Empty(response.Headers.Server);
        await app.StopAsync(Ct);
    }

    [Fact]
    public void The_shutdown_and_connection_options_bind_from_configuration()
    {
        var builder = CreateBuilder(new()
        {
            ["EventCore:ShutdownDelay"] = "00:00:05",
            ["EventCore:Limits:MaxConcurrentConnections"] = "100",
            ["EventCore:Limits:RejectedConnectionStatusCode"] = "503",
            ["EventCore:Limits:MaxConcurrentUpgradedConnections"] = "10",
            ["EventCore:Limits:MaxConnectionAge"] = "00:10:00",
        });
        using var app = builder.Build();

        var options = app.Services.GetRequiredService<IOptions<EventCoreServerOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(5), options.ShutdownDelay);
        Assert.Equal((100L, 503, 10L), (options.Limits.MaxConcurrentConnections, options.Limits.RejectedConnectionStatusCode, options.Limits.MaxConcurrentUpgradedConnections));
        Assert.Equal(TimeSpan.FromMinutes(10), options.Limits.MaxConnectionAge);
    }

    [Fact]
    public void A_rejected_connection_status_that_is_not_an_error_fails_at_binding()
    {
        var builder = CreateBuilder(new() { ["EventCore:Limits:RejectedConnectionStatusCode"] = "200" });

        var error = Assert.ThrowsAny<Exception>(() =>
        {
            using var app = builder.Build();
            _ = app.Services.GetRequiredService<IOptions<EventCoreServerOptions>>().Value;
        });
        Assert.Contains("4xx or 5xx", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hosting_urls_win_with_PreferHostingUrls()
    {
        var builder = CreateBuilder(configure: o => o.Urls.Add("http://127.0.0.1:1"));
        builder.WebHost.UseUrls("http://127.0.0.1:0").PreferHostingUrls(true);
        await using var app = builder.Build();
        app.MapGet("/", () => "ok");
        await app.StartAsync(Ct);
        var address = app.Urls.Single();
        Assert.NotEqual(1, new Uri(address).Port);
        using var http = new HttpClient();
        Assert.Equal("ok", await http.GetStringAsync(new Uri(address), Ct));
        await app.StopAsync(Ct);
    }

    private sealed record Message(string Text);
}

using EventCore.Server;
using EventCore.Sites.Tests.Support;
using EventCore.Transport.Epoll;
using EventCore.Webserv;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventCore.Sites.Tests;

public sealed class WebservHostTests
{
    [Fact]
    public async Task Listen_workers_and_timeouts_become_EventCore_options_and_the_longest_timeout_wins()
    {
        using var folder = new TempFolder();
        var config = folder.Write("host.conf", """
            workers 3;
            keepalive_timeout 75s;
            client_header_timeout 10s;
            client_body_timeout 20s;
            send_timeout 1s;
            server { listen 127.0.0.1:8181; listen 8182; keepalive_timeout 2m; }
            server { listen 127.0.0.1:8181; server_name b.test; }
            server { listen [::1]:8183; }
            server { }
            """);
        await using var app = WebservHost.Build(config, []);
        var server = app.Services.GetRequiredService<IOptions<EventCoreServerOptions>>().Value;
        Assert.Equal(["http://127.0.0.1:8181", "http://*:8182", "http://[::1]:8183", "http://*:8080"], server.Urls);
        Assert.Equal(TimeSpan.FromMinutes(2), server.Limits.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), server.Limits.RequestHeadersTimeout);
        Assert.Equal((1d, TimeSpan.FromSeconds(20)), (server.Limits.MinRequestBodyDataRate!.BytesPerSecond, server.Limits.MinRequestBodyDataRate.GracePeriod));
        Assert.Equal(TimeSpan.FromSeconds(2), server.Limits.MinResponseDataRate!.GracePeriod);
        Assert.Null(server.Limits.MaxRequestBodySize);
        Assert.Equal(3, app.Services.GetRequiredService<IOptions<EpollTransportOptions>>().Value.LoopCount);
    }

    [Fact]
    public async Task Without_timeouts_or_workers_EventCore_keeps_its_defaults()
    {
        using var folder = new TempFolder();
        await using var app = WebservHost.Build(folder.Write("plain.conf", "server { listen 127.0.0.1:8184; }\n"), []);
        var server = app.Services.GetRequiredService<IOptions<EventCoreServerOptions>>().Value;
        var defaults = new EventCoreServerOptions();
        Assert.Equal(defaults.Limits.KeepAliveTimeout, server.Limits.KeepAliveTimeout);
        Assert.Equal(defaults.Limits.RequestHeadersTimeout, server.Limits.RequestHeadersTimeout);
        Assert.Equal(Environment.ProcessorCount, app.Services.GetRequiredService<IOptions<EpollTransportOptions>>().Value.LoopCount);
    }

    [Fact]
    public async Task No_log_line_per_request_unless_asked_for()
    {
        using var folder = new TempFolder();
        var config = folder.Write("quiet.conf", "server { listen 127.0.0.1:8185; }\n");
        const string PerRequestCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

        await using (var app = WebservHost.Build(config, []))
        {
            var loggers = app.Services.GetRequiredService<ILoggerFactory>();
            // Not even Critical: while it is enabled at all, hosting opens a log scope and an Activity per request.
            Assert.False(loggers.CreateLogger(PerRequestCategory).IsEnabled(LogLevel.Critical));
            Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.StaticFiles").IsEnabled(LogLevel.Information));
            Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.StaticFiles").IsEnabled(LogLevel.Warning));
            Assert.True(loggers.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information));
        }

        await using (var app = WebservHost.Build(config, ["--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information"]))
        {
            Assert.True(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(PerRequestCategory).IsEnabled(LogLevel.Information));
        }
    }
}

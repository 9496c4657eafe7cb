using EventCore.Server;
using EventCore.Sites.Configuration;
using EventCore.Sites.Options;
using EventCore.Sites.Serving;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace EventCore.Webserv;

/// <summary>
/// Builds the server a configuration file describes: the sites (<c>AddWebservConfig</c>, <c>AddSites</c>,
/// <c>UseSites</c>) on EventCore, with every <c>listen</c> address as an endpoint, <c>workers</c> as the loop count
/// and the nginx timeouts mapped onto EventCore's limits.
/// </summary>
internal static class WebservHost
{
    /// <summary>Reads and checks the file (syntax, directives, values, locations) without serving it.</summary>
    public static SitesOptions Check(string configPath)
    {
        var configuration = new ConfigurationBuilder().AddWebservConfig(configPath).Build();
        var options = Bind(configuration);
        _ = SiteTable.Build(options, _ => null);
        return options;
    }

    public static WebApplication Build(string configPath, string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var sites = Check(configPath);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = Path.GetDirectoryName(configPath),
        });
        // nginx writes no line per request unless access_log asks for it: ASP.NET Core's per-request Information lines
        // ("Request starting", "Sending file", "Request finished") are off by default, as in the web template's
        // appsettings.json. Hosting's diagnostics category (the "Request starting/finished" lines) is off altogether: while
        // it is enabled even at Critical, ASP.NET Core opens a log scope and starts an Activity for every request (about
        // 0.5 KB allocated per request); it writes no error a server needs (unhandled exceptions are the server's own log
        // lines, startup failures the host's). First among the sources, so the command line turns them back on:
        // --Logging:LogLevel:Microsoft.AspNetCore=Information --Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None",
            },
        });
        builder.Configuration.AddWebservConfig(configPath);
        builder.Services.AddSites();
        builder.WebHost.UseEventCore(options => Apply(sites, options));
        builder.Services.Configure<EpollTransportOptions>(transport => transport.LoopCount = sites.Workers ?? transport.LoopCount);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.UseSites();
        return app;
    }

    public static SitesOptions Bind(IConfiguration configuration)
    {
        var options = new SitesOptions();
        configuration.GetSection("Sites").Bind(options);
        return options;
    }

    /// <summary>
    /// The server-wide parts: endpoints, and the timeouts. EventCore's limits hold for the whole server, so a timeout
    /// set in several places takes the longest (a server block cannot have a shorter one than another).
    /// </summary>
    private static void Apply(SitesOptions sites, EventCoreServerOptions options)
    {
        options.Urls.Clear();
        foreach (var url in sites.Servers.SelectMany(Addresses).Select(a => a.Url).Distinct())
        {
            options.Urls.Add(url);
        }

        // The sites set client_max_body_size per request; the server itself sets no limit of its own.
        var limits = options.Limits;
        limits.MaxRequestBodySize = null;
        if (Longest(sites, s => s.KeepaliveTimeout) is { } keepAlive)
        {
            limits.KeepAliveTimeout = keepAlive;
        }

        if (Longest(sites, s => s.ClientHeaderTimeout) is { } header)
        {
            limits.RequestHeadersTimeout = header;
        }

        // nginx's body and send timeouts bound the wait for one read or write; EventCore bounds the rate after a
        // grace period: a client that sends (reads) nothing for that long is cut, one that trickles is not.
        if (Longest(sites, s => s.ClientBodyTimeout) is { } body)
        {
            limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 1, gracePeriod: AtLeastTwoSeconds(body));
        }

        if (Longest(sites, s => s.SendTimeout) is { } send)
        {
            limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 1, gracePeriod: AtLeastTwoSeconds(send));
        }
    }

    /// <summary>A rate's grace period must be longer than the server's one-second heartbeat.</summary>
    private static TimeSpan AtLeastTwoSeconds(TimeSpan value) => value < TimeSpan.FromSeconds(2) ? TimeSpan.FromSeconds(2) : value;

    private static IEnumerable<ListenAddress> Addresses(SiteServerOptions server) =>
        server.Listen.Count > 0 ? server.Listen.Select(ListenAddress.Parse) : [ListenAddress.Parse("*:8080")];

    private static TimeSpan? Longest(SitesOptions sites, Func<SiteServerSettings, TimeSpan?> timeout) =>
        sites.Servers.Select(timeout).Append(timeout(sites)).Max();
}

using System.Net;
using EventCore.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EventCore.FunctionalTests.Site;

/// <summary>
/// The sample app (its own Program, its own wwwroot) started for real on 127.0.0.1 and a free port, on the
/// chosen server, with extra configuration (uploads directory, limits, Redis). Starts on first use of <see cref="EndPoint"/>.
/// </summary>
internal sealed class SiteAppFactory : WebApplicationFactory<Program>
{
    private readonly ServerKind _server;
    private readonly IReadOnlyDictionary<string, string> _settings;

    public SiteAppFactory(ServerKind server, IReadOnlyDictionary<string, string> settings)
    {
        _server = server;
        _settings = settings;

        // Only so that the factory does not put a TestServer in; CreateHost registers the real server.
        UseKestrel(0);
    }

    /// <summary>Where the app listens.</summary>
    public IPEndPoint EndPoint => ServerSetup.GetListeningEndPoint(Services.GetRequiredService<IServer>(), _server);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("server", _server == ServerKind.Kestrel ? "kestrel" : "eventcore");
        builder.UseUrls(ServerSetup.AnyLoopbackPort);
        builder.UseEnvironment(Environments.Production);
        builder.ConfigureLogging(TestLogging.Configure);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        builder.ConfigureWebHost(web => web.UseServer(_server, limits: null));
        var host = builder.Build();
        try
        {
            host.Start();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }
}

using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EventCore.FunctionalTests.Infrastructure;

/// <summary>
/// Runs the real sample app (samples/MinimalApi, its own Program) in-process on a real server bound to
/// 127.0.0.1 on a free port. The factory's Kestrel mode is switched on only so that it does not put a
/// TestServer in; <see cref="CreateHost"/> then registers the suite's server last, so it is the one that runs.
/// Optional: another web root, EventCore limits, and extra settings (uploads directory, Redis, …).
/// </summary>
internal sealed class SampleAppFactory : WebApplicationFactory<Program>
{
    private readonly ServerKind _server;
    private readonly string? _webRoot;
    private readonly TestLimits? _limits;
    private readonly IReadOnlyDictionary<string, string>? _settings;

    public SampleAppFactory(ServerKind server, string? webRoot = null, TestLimits? limits = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        _server = server;
        _webRoot = webRoot;
        _limits = limits;
        _settings = settings;
        UseKestrel(0);
    }

    /// <summary>Where the app listens; starts it on first use.</summary>
    public IPEndPoint EndPoint => ServerSetup.GetListeningEndPoint(Services.GetRequiredService<IServer>(), _server);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The sample's own switch, for the record; the registration in CreateHost has the last word.
        builder.UseSetting("server", _server == ServerKind.Kestrel ? "kestrel" : "eventcore");
        builder.UseUrls(ServerSetup.AnyLoopbackPort);

        // The factory defaults to Development, whose exception page would answer body-framing errors itself;
        // Production leaves them to the server, as in a real deployment.
        builder.UseEnvironment(Environments.Production);
        if (_webRoot is not null)
        {
            builder.UseWebRoot(_webRoot);
        }

        builder.ConfigureLogging(TestLogging.Configure);
        if (_limits is not null)
        {
            builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(_limits.ToEventCoreConfiguration()));
        }

        foreach (var (key, value) in _settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        builder.ConfigureWebHost(web => web.UseServer(_server, _limits));
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

using EventCore.Server.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// Decides what the server listens on, Kestrel's way, and builds each HTTPS endpoint's TLS layer. The endpoints are
/// the <c>Urls</c> option, <c>EventCore:Endpoints</c> and the <c>Listen…</c> calls; when there are none (or the host
/// prefers its URLs) the hosting URLs, else http://localhost:5000. An HTTPS endpoint without a certificate gets
/// <c>EventCore:Certificates:Default</c>, else — in Development — the ASP.NET Core development certificate.
/// </summary>
internal sealed class EndpointResolver : IDisposable
{
    private readonly List<CertificateFileWatcher> _watchers = [];
    private readonly EventCoreServerOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ILogger _tlsLogger;
    private readonly IHostEnvironment? _environment;
    private readonly ServerCertificateLoader _certificates;
    private LoadedCertificate? _defaultCertificate;
    private bool _defaultLoaded;

    public EndpointResolver(EventCoreServerOptions options, IServiceProvider services, ServerMetrics metrics, ILoggerFactory loggerFactory, ILogger logger)
    {
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _tlsLogger = loggerFactory.CreateLogger("EventCore.Server.Tls");
        _environment = services.GetService<IHostEnvironment>();
        _certificates = new ServerCertificateLoader(_environment?.ContentRootPath ?? Directory.GetCurrentDirectory());
    }

    /// <summary>The endpoints to bind, given the host's URLs.</summary>
    public List<ListenOptions> Resolve(IReadOnlyCollection<string> hostingUrls, bool preferHostingUrls)
    {
        var configured = new List<ListenOptions>();
        configured.AddRange(_options.Urls.Select(url => ListenOptions.FromUrl(url)));
        if (_options.ConfigurationSection is { } section)
        {
            configured.AddRange(EndpointConfiguration.ReadEndpoints(section, _certificates));
        }

        configured.AddRange(_options.CodeListenOptions);
        if (configured.Count > 0 && (hostingUrls.Count == 0 || !preferHostingUrls))
        {
            if (hostingUrls.Count > 0)
            {
                ServerLog.OverridingAddresses(_logger, string.Join(", ", hostingUrls));
            }

            return configured;
        }

        return hostingUrls.Count > 0
            ? [.. hostingUrls.Select(url => ListenOptions.FromUrl(url))]
            : [ListenOptions.FromUrl("http://localhost:5000")];
    }

    /// <summary>The endpoint's TLS layer, null for plain HTTP.</summary>
    /// <exception cref="InvalidOperationException">Protocols other than Http1, or HTTPS without a certificate.</exception>
    public TlsConnectionLayer? CreateTlsLayer(ListenOptions endpoint)
    {
        if (endpoint.Protocols != HttpProtocols.Http1)
        {
            throw new InvalidOperationException(
                $"The endpoint {endpoint.DisplayName} asks for Protocols '{endpoint.Protocols}': EventCore serves HTTP/1.1 only, so set Protocols to Http1. " +
                "For HTTP/2 or HTTP/3 use Kestrel, or a proxy in front (nginx, HAProxy, Envoy, YARP) that speaks them to clients and HTTP/1.1 to EventCore.");
        }

        if (!endpoint.IsTls)
        {
            return null;
        }

        var https = new HttpsConnectionAdapterOptions();
        foreach (var configure in _options.HttpsDefaults)
        {
            configure(https);
        }

        var loaded = endpoint.ConfiguredCertificate;
        if (endpoint.CertificateFile is var (path, password))
        {
            loaded = _certificates.LoadFile(path, keyPath: null, password, endpoint.DisplayName);
        }

        if (loaded is not null)
        {
            https.ServerCertificate = loaded.Certificate;
            https.ServerCertificateChain = loaded.Chain;
        }

        foreach (var configure in endpoint.HttpsConfiguration)
        {
            configure(https);
        }

        // The default also backs a selector (an SNI entry without a certificate of its own uses it, as in Kestrel).
        if (https.ServerCertificate is null && DefaultCertificate() is { } fallback)
        {
            loaded = fallback;
            https.ServerCertificate = fallback.Certificate;
            https.ServerCertificateChain ??= fallback.Chain;
        }

        var layer = new TlsConnectionLayer(https, _metrics, _tlsLogger, endpoint.Sni);
        WatchFiles(endpoint, https, loaded, layer);
        return layer;
    }

    /// <summary>Stops watching certificate files.</summary>
    public void Dispose() => _watchers.ForEach(w => w.Dispose());

    /// <summary>A certificate read from files and still the endpoint's (no code replaced it, no SNI selector) is reloaded when they change.</summary>
    private void WatchFiles(ListenOptions endpoint, HttpsConnectionAdapterOptions https, LoadedCertificate? loaded, TlsConnectionLayer layer)
    {
        if (loaded?.Reload is { } reload && ReferenceEquals(https.ServerCertificate, loaded.Certificate) && https.ServerCertificateSelector is null)
        {
            _watchers.Add(new CertificateFileWatcher(loaded.Files, reload, layer.UseCertificate, _tlsLogger, endpoint.DisplayName));
        }
    }

    private LoadedCertificate? DefaultCertificate()
    {
        if (!_defaultLoaded)
        {
            _defaultLoaded = true;
            _defaultCertificate = _options.ConfigurationSection is { } section
                ? _certificates.Load(section.GetSection("Certificates:Default"), "Default")
                : null;
            if (_defaultCertificate is null && _environment?.IsDevelopment() == true && ServerCertificateLoader.FindDevelopmentCertificate() is { } development)
            {
                _defaultCertificate = new LoadedCertificate(development, null);
            }
        }

        return _defaultCertificate;
    }
}

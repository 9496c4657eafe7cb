using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using EventCore.Server.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace EventCore.Server;

/// <summary>
/// One endpoint to listen on, as Kestrel's <c>ListenOptions</c>: made by <see cref="EventCoreServerOptions.Listen(IPAddress, int, Action{ListenOptions})"/>
/// and its siblings, by an <c>EventCore:Endpoints:{name}</c> configuration entry, or from a URL. <see cref="UseHttps()"/>
/// turns it into an HTTPS endpoint; the TLS options are Kestrel's own <see cref="HttpsConnectionAdapterOptions"/>.
/// </summary>
public sealed class ListenOptions
{
    private readonly List<Action<HttpsConnectionAdapterOptions>> _httpsConfiguration = [];

    internal ListenOptions(EndPoint endPoint, ListenKind kind = ListenKind.EndPoint)
    {
        EndPoint = endPoint;
        Kind = kind;
    }

    /// <summary>The endpoint: an <see cref="System.Net.IPEndPoint"/> or a <see cref="UnixDomainSocketEndPoint"/>.</summary>
    public EndPoint EndPoint { get; }

    /// <summary>The IP endpoint, or null for a Unix socket.</summary>
    public IPEndPoint? IPEndPoint => EndPoint as IPEndPoint;

    /// <summary>The Unix socket's path, or null for an IP endpoint.</summary>
    public string? SocketPath => (EndPoint as UnixDomainSocketEndPoint)?.ToString();

    /// <summary>
    /// The HTTP protocols to serve. EventCore serves HTTP/1.1 only: any value but <see cref="HttpProtocols.Http1"/> (the
    /// default) makes the server refuse to start, with an error that says so (Kestrel's default is Http1AndHttp2).
    /// </summary>
    public HttpProtocols Protocols { get; set; } = HttpProtocols.Http1;

    /// <summary>Whether <see cref="UseHttps()"/> was called: connections start with a TLS handshake.</summary>
    internal bool IsTls { get; private set; }

    internal ListenKind Kind { get; }

    /// <summary>The configuration entry's name (<c>EventCore:Endpoints:{name}</c>) or null for endpoints made in code.</summary>
    internal string? EndpointName { get; init; }

    /// <summary>A certificate file given to <see cref="UseHttps(string, string?)"/>, loaded (relative to the content root) at start.</summary>
    internal (string Path, string? Password)? CertificateFile { get; private set; }

    internal IReadOnlyList<Action<HttpsConnectionAdapterOptions>> HttpsConfiguration => _httpsConfiguration;

    /// <summary>The certificate of an <c>EventCore:Endpoints:{name}:Certificate</c> section, applied before <see cref="HttpsConfiguration"/>.</summary>
    internal LoadedCertificate? ConfiguredCertificate { get; set; }

    /// <summary>The endpoint's <c>Sni</c> section (configuration only): per host name certificate and TLS settings.</summary>
    internal SniCertificateSelector? Sni { get; set; }

    /// <summary>HTTPS with the default certificate (<c>EventCore:Certificates:Default</c>, else the ASP.NET Core development certificate in Development).</summary>
    public ListenOptions UseHttps() => UseHttps(static _ => { });

    /// <summary>HTTPS with <paramref name="serverCertificate"/> (which needs its private key).</summary>
    public ListenOptions UseHttps(X509Certificate2 serverCertificate)
    {
        ArgumentNullException.ThrowIfNull(serverCertificate);
        return UseHttps(o => o.ServerCertificate = serverCertificate);
    }

    /// <summary>HTTPS with <paramref name="serverCertificate"/>, then <paramref name="configureOptions"/>.</summary>
    public ListenOptions UseHttps(X509Certificate2 serverCertificate, Action<HttpsConnectionAdapterOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(serverCertificate);
        ArgumentNullException.ThrowIfNull(configureOptions);
        return UseHttps(o =>
        {
            o.ServerCertificate = serverCertificate;
            configureOptions(o);
        });
    }

    /// <summary>HTTPS with the certificate in a PKCS#12 (.pfx) file, relative to the content root.</summary>
    public ListenOptions UseHttps(string fileName) => UseHttps(fileName, password: null);

    /// <summary>HTTPS with the certificate in a password-protected PKCS#12 (.pfx) file, relative to the content root.</summary>
    public ListenOptions UseHttps(string fileName, string? password)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        CertificateFile = (fileName, password);
        return UseHttps();
    }

    /// <summary>HTTPS configured by <paramref name="configureOptions"/> (a certificate, a selector, client certificates, protocols, the handshake timeout).</summary>
    public ListenOptions UseHttps(Action<HttpsConnectionAdapterOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(configureOptions);
        IsTls = true;
        _httpsConfiguration.Add(configureOptions);
        return this;
    }

    /// <summary>HTTPS with these options (copied when the server starts).</summary>
    public ListenOptions UseHttps(HttpsConnectionAdapterOptions httpsOptions)
    {
        ArgumentNullException.ThrowIfNull(httpsOptions);
        return UseHttps(o => HttpsOptionsCopy.CopyTo(httpsOptions, o));
    }

    /// <summary>The URL this endpoint is published as in <c>IServerAddressesFeature</c>, once bound to <paramref name="bound"/>.</summary>
    internal string FormatAddress(EndPoint bound)
    {
        var scheme = IsTls ? "https" : "http";
        return bound switch
        {
            IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 } ip => $"{scheme}://[{ip.Address}]:{ip.Port}",
            IPEndPoint ip => $"{scheme}://{ip.Address}:{ip.Port}",
            UnixDomainSocketEndPoint unix => $"{scheme}://unix:{unix}",
            _ => $"{scheme}://{bound}",
        };
    }

    /// <summary>Parses a URL the way Kestrel does (<c>http://*:80</c>, <c>https://localhost:5001</c>, <c>http://unix:/run/app.sock</c>).</summary>
    /// <exception cref="InvalidOperationException">Not http:// or https://, or a named pipe.</exception>
    internal static ListenOptions FromUrl(string url, string? endpointName = null)
    {
        if (TryParseAbstractUnixUrl(url, endpointName) is { } abstractUnix)
        {
            return abstractUnix;
        }

        var address = Microsoft.AspNetCore.Http.BindingAddress.Parse(url);
        var https = string.Equals(address.Scheme, "https", StringComparison.OrdinalIgnoreCase);
        if (!https && !string.Equals(address.Scheme, "http", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Unrecognized scheme in server address '{url}'. Only 'http://' and 'https://' are supported.");
        }

        if (address.IsNamedPipe)
        {
            throw new InvalidOperationException($"Unsupported address '{url}': named pipes are Windows-only; EventCore listens on TCP and Unix sockets.");
        }

        ListenOptions listen;
        if (address.IsUnixPipe)
        {
            listen = new ListenOptions(new UnixDomainSocketEndPoint(address.UnixPipePath)) { EndpointName = endpointName, Url = url };
        }
        else if (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            listen = new ListenOptions(new IPEndPoint(IPAddress.Loopback, address.Port), ListenKind.Localhost) { EndpointName = endpointName, Url = url };
        }
        else if (IPAddress.TryParse(address.Host, out var ip))
        {
            listen = new ListenOptions(new IPEndPoint(ip, address.Port)) { EndpointName = endpointName, Url = url };
        }
        else
        {
            listen = new ListenOptions(new IPEndPoint(IPAddress.IPv6Any, address.Port), ListenKind.AnyIP) { EndpointName = endpointName, Url = url, HostName = address.Host };
        }

        if (https)
        {
            listen.UseHttps();
        }

        return listen;
    }

    /// <summary>
    /// <c>http://unix:@name</c> (or https): a socket in Linux's abstract namespace, named by everything after the <c>@</c>
    /// (what <see cref="EventCoreServerOptions.ListenUnixSocket(string)"/> takes as <c>@name</c>). ASP.NET Core's URL
    /// parser knows only socket paths (<c>unix:/…</c>), so this form is read here; null for any other URL.
    /// </summary>
    /// <exception cref="InvalidOperationException">The name is empty, or the scheme is neither http nor https.</exception>
    private static ListenOptions? TryParseAbstractUnixUrl(string url, string? endpointName)
    {
        const string Prefix = "://unix:@";
        var prefixAt = url.IndexOf(Prefix, StringComparison.OrdinalIgnoreCase);
        if (prefixAt <= 0 || url.AsSpan(0, prefixAt).ContainsAny(":/@"))
        {
            return null;
        }

        var scheme = url[..prefixAt];
        var https = string.Equals(scheme, "https", StringComparison.OrdinalIgnoreCase);
        if (!https && !string.Equals(scheme, "http", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Unrecognized scheme in server address '{url}'. Only 'http://' and 'https://' are supported.");
        }

        var name = url[(prefixAt + Prefix.Length)..];
        if (name.Length == 0)
        {
            throw new InvalidOperationException($"Invalid server address '{url}': an abstract Unix socket needs a name after the '@' (http://unix:@name).");
        }

        var listen = new ListenOptions(new UnixDomainSocketEndPoint("@" + name)) { EndpointName = endpointName, Url = url };
        if (https)
        {
            listen.UseHttps();
        }

        return listen;
    }

    /// <summary>The URL this endpoint came from, if any (for messages).</summary>
    internal string? Url { get; init; }

    /// <summary>A host name in the URL that is neither an IP nor localhost (bound as any IP, with a warning).</summary>
    internal string? HostName { get; init; }

    /// <summary>What to name this endpoint in messages.</summary>
    internal string DisplayName => EndpointName ?? Url ?? EndPoint.ToString() ?? "endpoint";
}

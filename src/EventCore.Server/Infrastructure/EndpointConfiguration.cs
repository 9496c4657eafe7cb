using System.Security.Authentication;
using EventCore.Server.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// Reads Kestrel's endpoint configuration under the <c>EventCore</c> section: <c>Endpoints:{name}</c> (<c>Url</c>,
/// <c>Protocols</c>, <c>SslProtocols</c>, <c>ClientCertificateMode</c>, <c>Certificate</c>), <c>EndpointDefaults</c> (the
/// same but the URL and certificate) and <c>Certificates:Default</c>. Same keys, meanings and errors as Kestrel's, so a
/// <c>Kestrel</c> section moves over by renaming it.
/// </summary>
internal static class EndpointConfiguration
{
    /// <summary>The endpoints of <c>Endpoints</c>, in configuration order.</summary>
    public static List<ListenOptions> ReadEndpoints(IConfiguration section, ServerCertificateLoader certificates)
    {
        var defaults = section.GetSection("EndpointDefaults");
        var defaultSslProtocols = ReadSslProtocols(defaults.GetSection("SslProtocols"));
        var defaultClientMode = ReadClientCertificateMode(defaults["ClientCertificateMode"], "EndpointDefaults");
        var defaultProtocols = ReadProtocols(defaults["Protocols"], "EndpointDefaults");
        var endpoints = new List<ListenOptions>();
        foreach (var endpoint in section.GetSection("Endpoints").GetChildren())
        {
            var url = endpoint["Url"];
            if (string.IsNullOrEmpty(url))
            {
                throw new InvalidOperationException($"The endpoint {endpoint.Key} is missing the required 'Url' parameter.");
            }

            var listen = ListenOptions.FromUrl(url, endpoint.Key);
            listen.Protocols = ReadProtocols(endpoint["Protocols"], endpoint.Key) ?? defaultProtocols ?? HttpProtocols.Http1;
            var sslProtocols = ReadSslProtocols(endpoint.GetSection("SslProtocols"));
            var clientMode = ReadClientCertificateMode(endpoint["ClientCertificateMode"], endpoint.Key);
            var certificateSection = endpoint.GetSection("Certificate");
            if (!listen.IsTls)
            {
                ThrowIfHttpsOnly(endpoint.Key, certificateSection, sslProtocols, clientMode, endpoint.GetSection("Sni"));
                endpoints.Add(listen);
                continue;
            }

            listen.ConfiguredCertificate = certificates.Load(certificateSection, endpoint.Key);
            listen.Sni = ReadSni(endpoint.GetSection("Sni"), endpoint.Key, certificates);
            listen.UseHttps(o =>
            {
                if ((sslProtocols ?? defaultSslProtocols) is { } protocols)
                {
                    o.SslProtocols = protocols;
                }

                if ((clientMode ?? defaultClientMode) is { } mode)
                {
                    o.ClientCertificateMode = mode;
                }
            });
            endpoints.Add(listen);
        }

        return endpoints;
    }

    /// <summary>
    /// Kestrel's <c>Sni</c> section: host name (exact, <c>*.suffix</c> or <c>*</c>) → <c>Certificate</c>, <c>SslProtocols</c>,
    /// <c>ClientCertificateMode</c> (each, when absent, the endpoint's) and <c>Protocols</c> (Http1 only, as on endpoints).
    /// </summary>
    private static SniCertificateSelector? ReadSni(IConfigurationSection section, string endpointName, ServerCertificateLoader certificates)
    {
        var entries = new List<(string, SniEntry)>();
        foreach (var entry in section.GetChildren())
        {
            var owner = $"{endpointName} (Sni {entry.Key})";
            if (ReadProtocols(entry["Protocols"], owner) is { } protocols && protocols != HttpProtocols.Http1)
            {
                throw new InvalidOperationException($"The endpoint {owner} sets Protocols {protocols}: EventCore serves Http1 only.");
            }

            var clientMode = ReadClientCertificateMode(entry["ClientCertificateMode"], owner);
            var certificate = certificates.Load(entry.GetSection("Certificate"), owner);
            entries.Add((entry.Key, new SniEntry(certificate, ReadSslProtocols(entry.GetSection("SslProtocols")), clientMode)));
        }

        return entries.Count == 0 ? null : new SniCertificateSelector(endpointName, entries);
    }

    /// <summary>Kestrel's <c>HttpProtocols</c> names; null when absent.</summary>
    private static HttpProtocols? ReadProtocols(string? value, string owner)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return Enum.TryParse<HttpProtocols>(value, ignoreCase: true, out var protocols)
            ? protocols
            : throw new InvalidOperationException($"The endpoint {owner} has an unknown Protocols value '{value}' (EventCore serves Http1 only).");
    }

    private static ClientCertificateMode? ReadClientCertificateMode(string? value, string owner)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return Enum.TryParse<ClientCertificateMode>(value, ignoreCase: true, out var mode)
            ? mode
            : throw new InvalidOperationException($"The endpoint {owner} has an unknown ClientCertificateMode '{value}' (NoCertificate, AllowCertificate or RequireCertificate).");
    }

    /// <summary>An array of <see cref="SslProtocols"/> names ("Tls12", "Tls13"), or null when absent.</summary>
    private static SslProtocols? ReadSslProtocols(IConfigurationSection section)
    {
        var values = section.GetChildren().Select(c => c.Value).Where(v => !string.IsNullOrEmpty(v)).ToList();
        if (values.Count == 0)
        {
            return string.IsNullOrEmpty(section.Value) ? null : Enum.Parse<SslProtocols>(section.Value, ignoreCase: true);
        }

        return values.Aggregate(SslProtocols.None, (all, name) => all | Enum.Parse<SslProtocols>(name!, ignoreCase: true));
    }

    /// <summary>Kestrel refuses HTTPS settings on an http:// endpoint, with this message.</summary>
    private static void ThrowIfHttpsOnly(string name, IConfigurationSection certificate, SslProtocols? sslProtocols, ClientCertificateMode? clientMode, IConfigurationSection sni)
    {
        var key = ServerCertificateLoader.IsDefined(certificate) ? "Certificate"
            : clientMode.HasValue ? "ClientCertificateMode"
            : sslProtocols.HasValue ? "SslProtocols"
            : sni.GetChildren().Any() ? "Sni"
            : null;
        if (key is not null)
        {
            throw new InvalidOperationException($"The non-HTTPS endpoint {name} includes HTTPS-only configuration for {key}.");
        }
    }
}

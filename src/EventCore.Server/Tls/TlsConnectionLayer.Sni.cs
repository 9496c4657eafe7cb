using System.Net.Security;
using Microsoft.AspNetCore.Connections;

namespace EventCore.Server.Tls;

/// <summary>
/// The configuration's <c>Sni</c> section, as Kestrel applies it: the handshake's options are chosen once the client's
/// hello names a host — that entry's certificate, <c>SslProtocols</c> and <c>ClientCertificateMode</c>, each falling back
/// to the endpoint's (an entry without a certificate uses the endpoint's current one, renewals included, or the app's
/// selector); then the app's <c>OnAuthenticate</c>. A name no entry matches fails the handshake.
/// </summary>
internal sealed partial class TlsConnectionLayer
{
    private static readonly ServerOptionsSelectionCallback s_sniOptions = static (_, hello, state, _) =>
    {
        var (layer, connection) = ((TlsConnectionLayer, ConnectionContext))state!;
        return ValueTask.FromResult(layer.CreateSniOptions(connection, hello.ServerName));
    };

    private readonly SniCertificateSelector? _sni;

    /// <summary>The certificate contexts of the entries that have a certificate of their own, made once at start.</summary>
    private readonly Dictionary<SniEntry, SslStreamCertificateContext>? _sniCertificates;

    /// <exception cref="NotSupportedException">An entry asks for DelayCertificate.</exception>
    /// <exception cref="InvalidOperationException">An entry without a certificate on an endpoint that has none either.</exception>
    private Dictionary<SniEntry, SslStreamCertificateContext> PrepareSni(SniCertificateSelector sni)
    {
        var contexts = new Dictionary<SniEntry, SslStreamCertificateContext>(ReferenceEqualityComparer.Instance);
        foreach (var entry in sni.Entries)
        {
            EnsureSupported(entry.ClientCertificateMode ?? _options.ClientCertificateMode);
            if (entry.Certificate is { } loaded)
            {
                EnsureServerCertificate(loaded.Certificate);
                contexts[entry] = SslStreamCertificateContext.Create(loaded.Certificate, loaded.Chain, offline: true);
            }
            else if (_options.ServerCertificate is null && _options.ServerCertificateSelector is null)
            {
                throw new InvalidOperationException(NoCertificateMessage);
            }
        }

        return contexts;
    }

    /// <summary>The options for a handshake whose client named <paramref name="hostName"/> (null: no SNI).</summary>
    private SslServerAuthenticationOptions CreateSniOptions(ConnectionContext connection, string? hostName)
    {
        var entry = _sni!.Match(hostName);
        var ownCertificate = entry.Certificate is null ? null : _sniCertificates![entry];
        var authentication = CreateAuthenticationOptions(ownCertificate ?? _certificateContext,
            entry.SslProtocols ?? _options.SslProtocols, entry.ClientCertificateMode ?? _options.ClientCertificateMode);
        if (ownCertificate is null && _options.ServerCertificateSelector is { } selector)
        {
            UseSelector(authentication, selector, connection);
        }

        _options.OnAuthenticate?.Invoke(connection, authentication);
        return authentication;
    }
}

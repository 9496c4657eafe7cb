using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Tls;

/// <summary>
/// What a TLS connection tells the app, Kestrel's set: <see cref="ITlsConnectionFeature"/> (the client certificate),
/// <see cref="ITlsHandshakeFeature"/>, <see cref="ITlsApplicationProtocolFeature"/> (ALPN) and <see cref="ISslStreamFeature"/>.
/// Set on the connection's features after the handshake; the request's feature collection falls through to them.
/// </summary>
internal sealed class TlsConnectionFeature(SslStream stream) : ITlsConnectionFeature, ITlsHandshakeFeature, ITlsApplicationProtocolFeature, ISslStreamFeature
{
    private X509Certificate2? _clientCertificate = stream.RemoteCertificate switch
    {
        null => null,
        X509Certificate2 certificate => certificate,
        var certificate => new X509Certificate2(certificate),
    };

    public X509Certificate2? ClientCertificate
    {
        get => _clientCertificate;
        set => _clientCertificate = value;
    }

    public ReadOnlyMemory<byte> ApplicationProtocol => stream.NegotiatedApplicationProtocol.Protocol;

    public SslProtocols Protocol => stream.SslProtocol;

    public TlsCipherSuite? NegotiatedCipherSuite => stream.NegotiatedCipherSuite;

    public string HostName => stream.TargetHostName;

#pragma warning disable SYSLIB0058 // Kestrel's feature still exposes the legacy algorithm properties
    public CipherAlgorithmType CipherAlgorithm => stream.CipherAlgorithm;

    public int CipherStrength => stream.CipherStrength;

    public HashAlgorithmType HashAlgorithm => stream.HashAlgorithm;

    public int HashStrength => stream.HashStrength;

    public ExchangeAlgorithmType KeyExchangeAlgorithm => stream.KeyExchangeAlgorithm;

    public int KeyExchangeStrength => stream.KeyExchangeStrength;
#pragma warning restore SYSLIB0058

    public SslStream SslStream => stream;

    /// <summary>The certificate from the handshake (renegotiation, Kestrel's DelayCertificate, is not offered).</summary>
    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(_clientCertificate);
}

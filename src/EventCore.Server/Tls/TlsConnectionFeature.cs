using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace EventCore.Server.Tls;

/// <summary>
/// What a TLS connection tells the app, Kestrel's set: <see cref="ITlsConnectionFeature"/> (the client certificate),
/// <see cref="ITlsHandshakeFeature"/>, <see cref="ITlsApplicationProtocolFeature"/> (ALPN) and <see cref="ISslStreamFeature"/>.
/// Set on the connection's features after the handshake; the request's feature collection falls through to them.
/// </summary>
internal sealed class TlsConnectionFeature : ITlsConnectionFeature, ITlsHandshakeFeature, ITlsApplicationProtocolFeature, ISslStreamFeature
{
    private readonly SslStream _stream;
    private X509Certificate2? _clientCertificate;

    /// <summary>Takes the handshake's results now: they are read after the SslStream is disposed too (by the connection metrics).</summary>
    public TlsConnectionFeature(SslStream stream)
    {
        _stream = stream;
        _clientCertificate = stream.RemoteCertificate switch
        {
            null => null,
            X509Certificate2 certificate => certificate,
            var certificate => new X509Certificate2(certificate),
        };
        ApplicationProtocol = stream.NegotiatedApplicationProtocol.Protocol;
        Protocol = stream.SslProtocol;
        NegotiatedCipherSuite = stream.NegotiatedCipherSuite;
        HostName = stream.TargetHostName;
#pragma warning disable SYSLIB0058 // Kestrel's feature still exposes the legacy algorithm properties
        CipherAlgorithm = stream.CipherAlgorithm;
        CipherStrength = stream.CipherStrength;
        HashAlgorithm = stream.HashAlgorithm;
        HashStrength = stream.HashStrength;
        KeyExchangeAlgorithm = stream.KeyExchangeAlgorithm;
        KeyExchangeStrength = stream.KeyExchangeStrength;
#pragma warning restore SYSLIB0058
    }

    public X509Certificate2? ClientCertificate
    {
        get => _clientCertificate;
        set => _clientCertificate = value;
    }

    public ReadOnlyMemory<byte> ApplicationProtocol { get; }

    public SslProtocols Protocol { get; }

    public TlsCipherSuite? NegotiatedCipherSuite { get; }

    public string HostName { get; }

#pragma warning disable SYSLIB0058 // the legacy algorithm types of Kestrel's interface
    public CipherAlgorithmType CipherAlgorithm { get; }

    public int CipherStrength { get; }

    public HashAlgorithmType HashAlgorithm { get; }

    public int HashStrength { get; }

    public ExchangeAlgorithmType KeyExchangeAlgorithm { get; }

    public int KeyExchangeStrength { get; }
#pragma warning restore SYSLIB0058

    public SslStream SslStream => _stream;

    /// <summary>The certificate from the handshake (renegotiation, Kestrel's DelayCertificate, is not offered).</summary>
    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(_clientCertificate);
}

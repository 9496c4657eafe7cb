using System.Buffers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using EventCore.Server.Infrastructure;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace EventCore.Server.Tls;

/// <summary>
/// The TLS layer of one HTTPS endpoint (Kestrel's HttpsConnectionMiddleware): runs the server handshake on an
/// SslStream over the transport's pipes — ALPN offering http/1.1 only, the certificate or the
/// <c>ServerCertificateSelector</c>, client certificates by <c>ClientCertificateMode</c>, <c>HandshakeTimeout</c>, per host
/// name settings from the configuration's <c>Sni</c> section (TlsConnectionLayer.Sni.cs) — and
/// then gives the connection decrypted pipes and the TLS features. Plain-HTTP endpoints have no layer, so they pay
/// nothing for it. Thread rules: runs on the thread pool (the dispatcher's), and its reads leave a loop thread before
/// any handshake work (see <see cref="DuplexPipeStream"/>), so a handshake never runs on, or blocks, a loop.
/// </summary>
internal sealed partial class TlsConnectionLayer
{
    private static readonly List<SslApplicationProtocol> s_applicationProtocols = [SslApplicationProtocol.Http11];

    private readonly HttpsConnectionAdapterOptions _options;

    // The client-certificate callback per ClientCertificateMode (None: null, as Kestrel: SslStream then has nothing to call).
    private readonly RemoteCertificateValidationCallback?[] _clientCertificateValidations;
    private readonly HandshakeTimeoutSources _timeouts = new();
    private volatile SslStreamCertificateContext? _certificateContext;

    // The handshake options every connection shares when nothing is chosen per connection (no certificate selector, no
    // OnAuthenticate): SslStream copies what it needs, so one instance serves all handshakes. Replaced on renewal.
    private volatile SslServerAuthenticationOptions? _sharedAuthentication;
    private readonly ServerMetrics _metrics;
    private readonly ILogger _logger;

    /// <exception cref="InvalidOperationException">No certificate and no selector, or a certificate not meant for servers.</exception>
    /// <exception cref="NotSupportedException">ClientCertificateMode.DelayCertificate (needs renegotiation, which EventCore does not offer).</exception>
    public TlsConnectionLayer(HttpsConnectionAdapterOptions options, ServerMetrics metrics, ILogger logger, SniCertificateSelector? sni = null)
    {
        _options = options;
        _metrics = metrics;
        _logger = logger;
        EnsureSupported(options.ClientCertificateMode);
        var validation = options.ClientCertificateValidation;
        _clientCertificateValidations =
        [
            null,
            (_, certificate, chain, errors) => ValidateClientCertificate(ClientCertificateMode.AllowCertificate, validation, certificate, chain, errors),
            (_, certificate, chain, errors) => ValidateClientCertificate(ClientCertificateMode.RequireCertificate, validation, certificate, chain, errors),
        ];
        _sni = sni;
        if (sni is not null)
        {
            _sniCertificates = PrepareSni(sni);
        }

        if (options.ServerCertificate is { } certificate)
        {
            EnsureServerCertificate(certificate);
            SetCertificateContext(SslStreamCertificateContext.Create(certificate, options.ServerCertificateChain, offline: true));
        }
        else if (options.ServerCertificateSelector is null && sni is null)
        {
            throw new InvalidOperationException(NoCertificateMessage);
        }
    }

    private static void EnsureSupported(ClientCertificateMode mode)
    {
        if (mode == ClientCertificateMode.DelayCertificate)
        {
            throw new NotSupportedException("ClientCertificateMode.DelayCertificate is not supported by EventCore (it needs TLS renegotiation); use AllowCertificate or RequireCertificate.");
        }
    }

    /// <summary>A renewed certificate (from <see cref="CertificateFileWatcher"/>): new handshakes use it. Any thread.</summary>
    public void UseCertificate(LoadedCertificate certificate)
    {
        EnsureServerCertificate(certificate.Certificate);
        SetCertificateContext(SslStreamCertificateContext.Create(certificate.Certificate, certificate.Chain, offline: true));
    }

    private void SetCertificateContext(SslStreamCertificateContext context)
    {
        _certificateContext = context;
        _sharedAuthentication = _options.ServerCertificateSelector is null && _options.OnAuthenticate is null && _sni is null
            ? CreateAuthenticationOptions(context, _options.SslProtocols, _options.ClientCertificateMode)
            : null;
    }

    /// <summary>Kestrel's message when an HTTPS endpoint has no certificate.</summary>
    public const string NoCertificateMessage =
        "Unable to configure HTTPS endpoint. No server certificate was specified, and the default developer certificate could not be found or is out of date.\n" +
        "To generate a developer certificate run 'dotnet dev-certs https'. To trust the certificate (Windows and macOS only) run 'dotnet dev-certs https --trust'.\n" +
        "For more information on configuring HTTPS see https://go.microsoft.com/fwlink/?linkid=848054.";

    /// <summary>
    /// Runs the handshake. On success the connection's <see cref="ConnectionContext.Transport"/> is the decrypted pipe
    /// and its features carry the TLS ones; on failure (plain HTTP, garbage, a stalled or refused handshake — logged at
    /// debug) null, and the caller closes the connection.
    /// </summary>
    public async Task<TlsConnection?> HandshakeAsync(ConnectionContext connection)
    {
        var transport = connection.Transport;
        var inner = new DuplexPipeStream(transport);
        var stream = new SslStream(inner, leaveInnerStreamOpen: true);
        var measurement = _metrics.TlsHandshakeStart(connection);
        var timeout = _timeouts.Rent(_options.HandshakeTimeout);
        try
        {
            if (_sni is null)
            {
                await stream.AuthenticateAsServerAsync(_sharedAuthentication ?? CreateAuthenticationOptions(connection), timeout.Token);
            }
            else
            {
                await stream.AuthenticateAsServerAsync(s_sniOptions, (this, connection), timeout.Token); // options by the client's SNI name
            }
        }
        catch (Exception ex)
        {
            _metrics.TlsHandshakeStop(measurement, null, ex);
            LogFailure(connection.ConnectionId, ex, timeout.IsCancellationRequested);
            timeout.Dispose();
            await stream.DisposeAsync();
            return null;
        }

        _timeouts.Return(timeout);
        inner.HandshakeCompleted();
        _metrics.TlsHandshakeStop(measurement, stream.SslProtocol, null);
        var feature = new TlsConnectionFeature(stream);
        var features = connection.Features;
        features.Set<ITlsConnectionFeature>(feature);
        features.Set<ITlsHandshakeFeature>(feature);
        features.Set<ITlsApplicationProtocolFeature>(feature);
        features.Set<ISslStreamFeature>(feature);
        features.Set<IConnectionSendFileFeature>(null); // sendfile would put plaintext on the wire
        var pool = features.Get<IMemoryPoolFeature>()?.MemoryPool ?? MemoryPool<byte>.Shared;
        var pipe = new SslDuplexPipe(stream, pool);
        connection.Transport = pipe;
        return new TlsConnection(connection, transport, stream, pipe, feature);
    }

    private SslServerAuthenticationOptions CreateAuthenticationOptions(SslStreamCertificateContext? certificateContext, SslProtocols protocols, ClientCertificateMode mode) => new()
    {
        ServerCertificateContext = certificateContext,
        ApplicationProtocols = s_applicationProtocols,
        EnabledSslProtocols = protocols,
        ClientCertificateRequired = mode is ClientCertificateMode.AllowCertificate or ClientCertificateMode.RequireCertificate,
        CertificateRevocationCheckMode = _options.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = _clientCertificateValidations[(int)mode],
    };

    /// <summary>The options of one connection's handshake: with its certificate selector and the app's OnAuthenticate.</summary>
    private SslServerAuthenticationOptions CreateAuthenticationOptions(ConnectionContext connection)
    {
        var authentication = CreateAuthenticationOptions(_certificateContext, _options.SslProtocols, _options.ClientCertificateMode);
        if (_options.ServerCertificateSelector is { } selector)
        {
            UseSelector(authentication, selector, connection);
        }

        _options.OnAuthenticate?.Invoke(connection, authentication);
        return authentication;
    }

    /// <summary>The certificate comes from the app's selector (by SNI name), falling back to the endpoint's.</summary>
    private void UseSelector(SslServerAuthenticationOptions authentication, Func<ConnectionContext, string?, X509Certificate2?> selector, ConnectionContext connection)
    {
        var fallback = _options.ServerCertificate;
        authentication.ServerCertificateContext = null;
        authentication.ServerCertificateSelectionCallback = (_, hostName) =>
        {
            var certificate = selector(connection, hostName) ?? fallback;
            if (certificate is not null)
            {
                EnsureServerCertificate(certificate);
            }

            return certificate!;
        };
    }

    /// <summary>Kestrel's rule: no certificate is fine unless required; one must pass the app's validation, else the chain's.</summary>
    private static bool ValidateClientCertificate(ClientCertificateMode mode, Func<X509Certificate2, X509Chain?, SslPolicyErrors, bool>? validation,
        X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return mode != ClientCertificateMode.RequireCertificate;
        }

        if (mode == ClientCertificateMode.NoCertificate)
        {
            return true;
        }

        var certificate2 = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
        return validation is not null ? validation(certificate2, chain, errors) : errors == SslPolicyErrors.None;
    }

    /// <summary>A certificate with an enhanced-key-usage list must allow server authentication (as Kestrel checks).</summary>
    private static void EnsureServerCertificate(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509EnhancedKeyUsageExtension usages && usages.EnhancedKeyUsages.Count > 0
                && usages.EnhancedKeyUsages["1.3.6.1.5.5.7.3.1"] is null)
            {
                throw new InvalidOperationException($"Certificate {certificate.Thumbprint} cannot be used as an SSL server certificate. It has an Extended Key Usage extension but the usages do not include Server Authentication (OID 1.3.6.1.5.5.7.3.1).");
            }
        }

        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"Certificate {certificate.Thumbprint} has no private key: a server certificate needs one.");
        }
    }

    private void LogFailure(string connectionId, Exception ex, bool timedOut)
    {
        if (timedOut)
        {
            ServerLog.TlsHandshakeTimedOut(_logger, connectionId, _options.HandshakeTimeout);
        }
        else if (ex is IOException or AuthenticationException or OperationCanceledException)
        {
            // Plain HTTP to the HTTPS port, garbage, a client that gave up or refused our certificate: not the server's fault.
            ServerLog.TlsHandshakeFailed(_logger, connectionId, ex.Message);
        }
        else
        {
            ServerLog.TlsHandshakeError(_logger, connectionId, ex);
        }
    }
}

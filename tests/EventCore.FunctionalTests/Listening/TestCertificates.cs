using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EventCore.FunctionalTests.Listening;

/// <summary>
/// A test CA made at test time (CertificateRequest, ECDSA P-256) and the certificates it signs: "localhost" (with
/// 127.0.0.1), "other.test" for SNI, and a client certificate. Also written as files (PEM with separate keys, and a
/// password-protected PFX) into a temporary directory, for curl, openssl and the configuration tests.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public const string PfxPassword = "test-password";

    public TestCertificates()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("eventcore-tls-").FullName;
        var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=EventCore Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Authority = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        Server = Issue("localhost", serverAuth: true, IPAddress.Loopback);
        Other = Issue("other.test", serverAuth: true);
        Client = Issue("EventCore Test Client", serverAuth: false);
        WritePem("ca", Authority, withKey: false);
        WritePem("server", Server, withKey: true);
        WritePem("other", Other, withKey: true);
        WritePem("client", Client, withKey: true);
        File.WriteAllBytes(PathOf("server.pfx"), Server.Export(X509ContentType.Pkcs12, PfxPassword));
    }

    /// <summary>The directory of the files: ca.pem, server.pem/.key, other.pem/.key, client.pem/.key, server.pfx.</summary>
    public string Directory { get; }

    public X509Certificate2 Authority { get; }

    public X509Certificate2 Server { get; }

    public X509Certificate2 Other { get; }

    public X509Certificate2 Client { get; }

    public string PathOf(string fileName) => Path.Combine(Directory, fileName);

    /// <summary>True when <paramref name="certificate"/> chains to the test CA (and only to it).</summary>
    public bool IsIssuedByTestAuthority(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
    }

    /// <summary>An HttpClient handler that trusts the test CA (name checks included), optionally presenting the client certificate.</summary>
    public SocketsHttpHandler CreateHandler(bool withClientCertificate = false)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None && IsIssuedByTestAuthority(certificate),
            },
        };
        if (withClientCertificate)
        {
            handler.SslOptions.ClientCertificates = [Client];
        }

        return handler;
    }

    public void Dispose()
    {
        Authority.Dispose();
        Server.Dispose();
        Other.Dispose();
        Client.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private X509Certificate2 Issue(string name, bool serverAuth, IPAddress? address = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256); // kept alive: the certificate uses it
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        var names = new SubjectAlternativeNameBuilder();
        if (serverAuth)
        {
            names.AddDnsName(name);
        }

        if (address is not null)
        {
            names.AddIpAddress(address);
        }

        if (serverAuth)
        {
            request.CertificateExtensions.Add(names.Build());
        }

        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(Authority, now.AddHours(-1), now.AddDays(7), RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    private void WritePem(string name, X509Certificate2 certificate, bool withKey)
    {
        File.WriteAllText(PathOf($"{name}.pem"), certificate.ExportCertificatePem());
        if (withKey)
        {
            File.WriteAllText(PathOf($"{name}.key"), certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EventCore.Server.Tls;

namespace EventCore.Server.Tests;

public class ServerCertificateLoaderTests
{
    private static readonly DateTime s_now = DateTime.Now;

    [Fact]
    public void The_development_certificate_is_the_one_with_the_aspnet_marker()
    {
        using var plain = Create(marked: false, days: 300);
        using var marked = Create(marked: true, days: 100);
        using var markedLonger = Create(marked: true, days: 200);
        Assert.Same(markedLonger, ServerCertificateLoader.PickDevelopmentCertificate([plain, marked, markedLonger], s_now));
    }

    [Fact]
    public void An_expired_or_keyless_development_certificate_is_not_used()
    {
        using var expired = Create(marked: true, days: -1);
        using var marked = Create(marked: true, days: 30);
        using var keyless = X509CertificateLoader.LoadCertificate(marked.Export(X509ContentType.Cert));
        Assert.Null(ServerCertificateLoader.PickDevelopmentCertificate([expired, keyless], s_now));
    }

    [Fact]
    public void A_pem_file_without_its_key_is_refused_naming_the_endpoint_and_file()
    {
        var directory = Directory.CreateTempSubdirectory("eventcore-certs-").FullName;
        try
        {
            using var certificate = Create(marked: false, days: 10);
            var path = Path.Combine(directory, "cert.pem");
            File.WriteAllText(path, certificate.ExportCertificatePem());
            var ex = Assert.Throws<InvalidOperationException>(() => new ServerCertificateLoader(directory).LoadFile("cert.pem", keyPath: null, password: null, "Web"));
            Assert.Contains("endpoint Web", ex.Message, StringComparison.Ordinal);
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static X509Certificate2 Create(bool marked, int days)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        if (marked)
        {
            request.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.311.84.1.1", [2], critical: false));
        }

        var notAfter = s_now.AddDays(days);
        return request.CreateSelfSigned(notAfter.AddDays(-400), notAfter);
    }
}

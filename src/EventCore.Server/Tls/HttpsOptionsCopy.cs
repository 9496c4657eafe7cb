using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace EventCore.Server.Tls;

/// <summary>Copies every setting of a Kestrel <see cref="HttpsConnectionAdapterOptions"/> onto another.</summary>
internal static class HttpsOptionsCopy
{
    public static void CopyTo(HttpsConnectionAdapterOptions source, HttpsConnectionAdapterOptions target)
    {
        target.ServerCertificate = source.ServerCertificate;
        target.ServerCertificateChain = source.ServerCertificateChain;
        target.ServerCertificateSelector = source.ServerCertificateSelector;
        target.ClientCertificateMode = source.ClientCertificateMode;
        target.ClientCertificateValidation = source.ClientCertificateValidation;
        target.SslProtocols = source.SslProtocols;
        target.CheckCertificateRevocation = source.CheckCertificateRevocation;
        target.HandshakeTimeout = source.HandshakeTimeout;
        target.OnAuthenticate = source.OnAuthenticate;
    }
}

using System.Security.Cryptography.X509Certificates;

namespace EventCore.Server.Tls;

/// <summary>
/// A server certificate with the intermediates to send along (null: none given), and, when it was read from files,
/// those files and how to read them again (for <see cref="CertificateFileWatcher"/>).
/// </summary>
internal sealed record LoadedCertificate(X509Certificate2 Certificate, X509Certificate2Collection? Chain)
{
    /// <summary>The certificate and key files it came from; empty for a store certificate.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>Reads the files again; null for a store certificate.</summary>
    public Func<LoadedCertificate>? Reload { get; init; }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace EventCore.Server.Tls;

/// <summary>
/// Loads server certificates the way Kestrel's configuration does: a certificate section has either <c>Path</c> (a PEM
/// certificate with <c>KeyPath</c> and an optional <c>Password</c> for an encrypted key, or a PKCS#12 file with its
/// <c>Password</c>) or <c>Subject</c> + <c>Store</c> (+ <c>Location</c>, <c>AllowInvalid</c>). Relative paths are
/// relative to the content root. The extra certificates of a PEM file are the chain sent with it.
/// </summary>
internal sealed class ServerCertificateLoader(string contentRoot)
{
    // Enhanced key usage "server authentication", and the ASP.NET Core development certificate's marker extension.
    private const string ServerAuthenticationOid = "1.3.6.1.5.5.7.3.1";
    private const string AspNetHttpsOid = "1.3.6.1.4.1.311.84.1.1";

    /// <summary>Whether the section names a certificate (a file or a store entry).</summary>
    public static bool IsDefined(IConfigurationSection section)
        => !string.IsNullOrEmpty(section["Path"]) || !string.IsNullOrEmpty(section["Subject"]);

    /// <summary>The certificate the section names, or null when it names none.</summary>
    /// <exception cref="InvalidOperationException">Both a file and a store entry, or the certificate cannot be loaded.</exception>
    public LoadedCertificate? Load(IConfigurationSection section, string owner)
    {
        var path = section["Path"];
        var subject = section["Subject"];
        if (!string.IsNullOrEmpty(path) && !string.IsNullOrEmpty(subject))
        {
            throw new InvalidOperationException($"The endpoint {owner} specified multiple certificate sources.");
        }

        if (!string.IsNullOrEmpty(path))
        {
            return LoadFile(path, section["KeyPath"], section["Password"], owner);
        }

        return string.IsNullOrEmpty(subject)
            ? null
            : new LoadedCertificate(LoadFromStore(subject, section["Store"], section["Location"], bool.TryParse(section["AllowInvalid"], out var allow) && allow), null);
    }

    /// <summary>A PEM certificate (+ key file) or a PKCS#12 file.</summary>
    public LoadedCertificate LoadFile(string path, string? keyPath, string? password, string owner)
    {
        var fullPath = Path.Combine(contentRoot, path);
        try
        {
            LoadedCertificate loaded;
            if (!string.IsNullOrEmpty(keyPath) || IsPem(fullPath))
            {
                var fullKeyPath = string.IsNullOrEmpty(keyPath) ? null : Path.Combine(contentRoot, keyPath);
                var certificate = string.IsNullOrEmpty(password)
                    ? X509Certificate2.CreateFromPemFile(fullPath, fullKeyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(fullPath, password, fullKeyPath);
                loaded = new LoadedCertificate(certificate, ReadChain(fullPath, certificate));
            }
            else
            {
                loaded = new LoadedCertificate(X509CertificateLoader.LoadPkcs12FromFile(fullPath, password), null);
            }

            if (!loaded.Certificate.HasPrivateKey)
            {
                throw new InvalidOperationException("it has no private key");
            }

            return loaded with
            {
                Files = string.IsNullOrEmpty(keyPath) ? [fullPath] : [fullPath, Path.Combine(contentRoot, keyPath)],
                Reload = () => LoadFile(path, keyPath, password, owner),
            };
        }
        catch (Exception ex) when (ex is IOException or CryptographicException or InvalidOperationException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"The certificate of endpoint {owner} could not be loaded from '{fullPath}': {ex.Message}", ex);
        }
    }

    /// <summary>The newest valid certificate for server authentication with a private key whose subject contains <paramref name="subject"/>.</summary>
    public static X509Certificate2 LoadFromStore(string subject, string? storeName, string? location, bool allowInvalid)
    {
        var storeLocation = string.IsNullOrEmpty(location) ? StoreLocation.CurrentUser : Enum.Parse<StoreLocation>(location, ignoreCase: true);
        storeName = string.IsNullOrEmpty(storeName) ? "My" : storeName;
        using var store = new X509Store(storeName, storeLocation);
        X509Certificate2Collection? found = null;
        try
        {
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            found = store.Certificates.Find(X509FindType.FindBySubjectName, subject, !allowInvalid);
            var best = found.Where(c => c.HasPrivateKey && AllowsServerAuthentication(c)).MaxBy(c => c.NotAfter);
            if (best is not null)
            {
                return new X509Certificate2(best);
            }
        }
        catch (CryptographicException)
        {
            // A store that does not exist: the certificate is not found.
        }
        finally
        {
            DisposeAll(found);
        }

        throw new InvalidOperationException(
            $"The requested certificate {subject} could not be found in {storeLocation}/{storeName} with AllowInvalid setting: {allowInvalid}.");
    }

    /// <summary>The ASP.NET Core HTTPS development certificate (<c>dotnet dev-certs https</c>) in CurrentUser/My, if valid, as Kestrel uses it in Development.</summary>
    public static X509Certificate2? FindDevelopmentCertificate()
    {
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        X509Certificate2Collection? all = null;
        try
        {
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            all = store.Certificates;
            return PickDevelopmentCertificate(all, DateTime.Now) is { } best ? new X509Certificate2(best) : null;
        }
        catch (CryptographicException)
        {
            return null; // no store: no development certificate
        }
        finally
        {
            DisposeAll(all);
        }
    }

    /// <summary>Of <paramref name="candidates"/>, the development certificate (its marker extension, a private key) valid at <paramref name="now"/> the longest.</summary>
    internal static X509Certificate2? PickDevelopmentCertificate(IEnumerable<X509Certificate2> candidates, DateTime now)
        => candidates.Where(c => c.HasPrivateKey && c.NotBefore <= now && now <= c.NotAfter && c.Extensions[AspNetHttpsOid] is not null)
            .MaxBy(c => c.NotAfter);

    private static bool AllowsServerAuthentication(X509Certificate2 certificate)
    {
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        return usages is null || usages.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ServerAuthenticationOid);
    }

    private static bool IsPem(string path)
    {
        Span<byte> start = stackalloc byte[10];
        using var file = File.OpenHandle(path);
        var read = RandomAccess.Read(file, start, 0);
        return start[..read].SequenceEqual("-----BEGIN"u8);
    }

    /// <summary>The certificates after the first in a PEM file: the intermediates sent with the leaf.</summary>
    private static X509Certificate2Collection? ReadChain(string path, X509Certificate2 leaf)
    {
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(path);
        var chain = new X509Certificate2Collection();
        foreach (var certificate in all)
        {
            if (certificate.Thumbprint != leaf.Thumbprint)
            {
                chain.Add(certificate);
            }
            else
            {
                certificate.Dispose();
            }
        }

        return chain.Count > 0 ? chain : null;
    }

    private static void DisposeAll(X509Certificate2Collection? certificates)
    {
        foreach (var certificate in certificates ?? [])
        {
            certificate.Dispose();
        }
    }
}

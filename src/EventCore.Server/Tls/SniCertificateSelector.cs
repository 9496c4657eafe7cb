using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;

namespace EventCore.Server.Tls;

/// <summary>
/// Kestrel's <c>Endpoints:{name}:Sni</c> section as a <c>ServerCertificateSelector</c>: the certificate of the entry
/// named exactly by the client's SNI host name, else of the longest matching <c>*.suffix</c> entry, else of the
/// <c>*</c> entry (which also serves clients that send no name); an entry without a certificate uses the endpoint's.
/// A name no entry matches fails the handshake, as in Kestrel.
/// </summary>
internal sealed class SniCertificateSelector
{
    private readonly string _endpointName;
    private readonly Dictionary<string, X509Certificate2?> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Suffix, X509Certificate2? Certificate)> _wildcards = [];
    private readonly bool _hasCatchAll;
    private readonly X509Certificate2? _catchAll;

    public SniCertificateSelector(string endpointName, IEnumerable<(string Name, X509Certificate2? Certificate)> entries)
    {
        _endpointName = endpointName;
        foreach (var (name, certificate) in entries)
        {
            if (name == "*")
            {
                _hasCatchAll = true;
                _catchAll = certificate;
            }
            else if (name.StartsWith("*.", StringComparison.Ordinal))
            {
                _wildcards.Add((name[1..], certificate)); // ".example.org"
            }
            else
            {
                _exact[name] = certificate;
            }
        }

        _wildcards.Sort((a, b) => b.Suffix.Length.CompareTo(a.Suffix.Length));
    }

    /// <summary>The entry's certificate, null for "the endpoint's"; throws <see cref="AuthenticationException"/> when no entry matches.</summary>
    public X509Certificate2? Select(ConnectionContext? connection, string? hostName)
    {
        if (!string.IsNullOrEmpty(hostName))
        {
            if (_exact.TryGetValue(hostName, out var exact))
            {
                return exact;
            }

            foreach (var (suffix, certificate) in _wildcards)
            {
                if (hostName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                {
                    return certificate;
                }
            }
        }

        return _hasCatchAll
            ? _catchAll
            : throw new AuthenticationException($"The endpoint {_endpointName} is configured with SNI, and the host name '{hostName}' matches none of its entries.");
    }
}

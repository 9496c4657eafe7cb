using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace EventCore.Server.Tls;

/// <summary>
/// One entry of Kestrel's <c>Endpoints:{name}:Sni</c> section: what a handshake for its host name uses instead of the
/// endpoint's settings — a certificate (with its chain), <c>SslProtocols</c> and <c>ClientCertificateMode</c>; null
/// for "the endpoint's".
/// </summary>
internal sealed record SniEntry(LoadedCertificate? Certificate, SslProtocols? SslProtocols, ClientCertificateMode? ClientCertificateMode);

/// <summary>
/// Kestrel's <c>Endpoints:{name}:Sni</c> section, matched against the client's SNI host name: the entry named exactly
/// by it, else the longest matching <c>*.suffix</c> entry, else the <c>*</c> entry (which also serves clients that send
/// no name). A name no entry matches fails the handshake, as in Kestrel. Read-only after construction: any thread.
/// </summary>
internal sealed class SniCertificateSelector
{
    private readonly string _endpointName;
    private readonly Dictionary<string, SniEntry> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Suffix, SniEntry Entry)> _wildcards = [];
    private readonly SniEntry? _catchAll;

    public SniCertificateSelector(string endpointName, IEnumerable<(string Name, SniEntry Entry)> entries)
    {
        _endpointName = endpointName;
        foreach (var (name, entry) in entries)
        {
            Entries.Add(entry);
            if (name == "*")
            {
                _catchAll = entry;
            }
            else if (name.StartsWith("*.", StringComparison.Ordinal))
            {
                _wildcards.Add((name[1..], entry)); // ".example.org"
            }
            else
            {
                _exact[name] = entry;
            }
        }

        _wildcards.Sort((a, b) => b.Suffix.Length.CompareTo(a.Suffix.Length));
    }

    /// <summary>Every entry, in configuration order.</summary>
    public List<SniEntry> Entries { get; } = [];

    /// <summary>The entry for <paramref name="hostName"/>; throws <see cref="AuthenticationException"/> when none matches.</summary>
    public SniEntry Match(string? hostName)
    {
        if (!string.IsNullOrEmpty(hostName))
        {
            if (_exact.TryGetValue(hostName, out var exact))
            {
                return exact;
            }

            foreach (var (suffix, entry) in _wildcards)
            {
                if (hostName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                {
                    return entry;
                }
            }
        }

        return _catchAll
            ?? throw new AuthenticationException($"The endpoint {_endpointName} is configured with SNI, and the host name '{hostName}' matches none of its entries.");
    }
}

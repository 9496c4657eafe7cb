using System.Net;

namespace EventCore.Sites.Serving;

/// <summary>A <c>server</c> block: its addresses, names and locations (nested ones flattened in file order).</summary>
internal sealed class VirtualServer(IReadOnlyList<ListenAddress> listen, IReadOnlyList<string> names, SiteLocation fallback, IReadOnlyList<SiteLocation> locations, string? accessLog)
{
    /// <summary>The file of the combined access log, or null (<c>access_log off;</c>, the default).</summary>
    public string? AccessLog { get; } = accessLog;

    public IReadOnlyList<ListenAddress> Listen { get; } = listen;

    public IReadOnlyList<string> Names { get; } = names;

    /// <summary>The server's own settings, for a path no location matches.</summary>
    public SiteLocation Fallback { get; } = fallback;

    public IReadOnlyList<SiteLocation> Locations { get; } = locations;

    public bool ListensOn(IPAddress? address, int port) => Listen.Any(l => l.Matches(address, port));

    /// <summary>
    /// nginx's choice: an exact <c>=</c> match; else the longest matching prefix, kept if it is <c>^~</c>; else the
    /// first matching regex in file order; else that longest prefix; else the server's own settings.
    /// </summary>
    public SiteLocation Find(string path)
    {
        SiteLocation? longest = null;
        foreach (var location in Locations)
        {
            if (location.Match == LocationMatch.Exact && location.Path == path)
            {
                return location;
            }

            if (location.Match is LocationMatch.Prefix or LocationMatch.PrefixNoRegex && location.Matches(path)
                && (longest is null || location.Path.Length > longest.Path.Length))
            {
                longest = location;
            }
        }

        if (longest?.Match != LocationMatch.PrefixNoRegex)
        {
            foreach (var location in Locations)
            {
                if (location.Match == LocationMatch.Regex && location.Matches(path))
                {
                    return location;
                }
            }
        }

        return longest ?? Fallback;
    }

    /// <summary>Whether <paramref name="host"/> (lower case, no port) is one of this server's names; the length of the wildcard that matched, for preferring the longest.</summary>
    public int NameMatch(string host)
    {
        var best = -1;
        foreach (var name in Names)
        {
            if (name == host)
            {
                return int.MaxValue;
            }

            if (name.StartsWith("*.", StringComparison.Ordinal) && host.EndsWith(name[1..], StringComparison.Ordinal) && name.Length > best)
            {
                best = name.Length;
            }
        }

        return best;
    }
}

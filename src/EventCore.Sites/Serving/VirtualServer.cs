using System.Net;

namespace EventCore.Sites.Serving;

/// <summary>A <c>server</c> block: its addresses, names and top-level locations (each with its nested ones).</summary>
internal sealed class VirtualServer(ListenAddress[] listen, string[] names, SiteLocation fallback, IReadOnlyList<SiteLocation> locations, string? accessLog)
{
    // Arrays, walked with for loops: the per-request lookups allocate no enumerator and no closure.
    private readonly ListenAddress[] _listen = listen;
    private readonly string[] _names = names;

    /// <summary>The file of the combined access log, or null (<c>access_log off;</c>, the default).</summary>
    public string? AccessLog { get; } = accessLog;

    public IReadOnlyList<ListenAddress> Listen { get; } = listen;

    public IReadOnlyList<string> Names { get; } = names;

    /// <summary>The server's own settings, for a path no location matches.</summary>
    public SiteLocation Fallback { get; } = fallback;

    public IReadOnlyList<SiteLocation> Locations { get; } = locations;

    public bool ListensOn(IPAddress? address, int port)
    {
        foreach (var listen in _listen)
        {
            if (listen.Matches(address, port))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// nginx's choice (<c>ngx_http_core_find_location</c>), level by level: an exact <c>=</c> match wins; else the
    /// longest matching prefix is remembered and its nested locations are searched the same way (an exact or regex
    /// match in there wins, a longer nested prefix replaces it); then, unless the prefix found at this level is
    /// <c>^~</c>, this level's regexes in file order (the first match wins, and its own nested locations are searched);
    /// else the longest prefix; else the server's own settings.
    /// </summary>
    public SiteLocation Find(string path) => Search(Locations, path).Location ?? Fallback;

    private static (SiteLocation? Location, bool Final) Search(IReadOnlyList<SiteLocation> level, string path)
    {
        SiteLocation? longest = null;
        foreach (var location in level)
        {
            if (location.Match == LocationMatch.Exact && location.Path == path)
            {
                return (location, true);
            }

            if (location.Match is LocationMatch.Prefix or LocationMatch.PrefixNoRegex && location.Matches(path)
                && (longest is null || location.Path.Length > longest.Path.Length))
            {
                longest = location;
            }
        }

        var found = longest;
        if (longest is { Children.Count: > 0 })
        {
            var nested = Search(longest.Children, path);
            if (nested.Final)
            {
                return nested;
            }

            found = nested.Location ?? longest;
        }

        if (longest?.Match != LocationMatch.PrefixNoRegex)
        {
            foreach (var location in level)
            {
                if (location.Match == LocationMatch.Regex && location.Matches(path))
                {
                    return location.Children.Count > 0 && Search(location.Children, path).Location is { } inner ? (inner, true) : (location, true);
                }
            }
        }

        return (found, false);
    }

    /// <summary>
    /// Whether <paramref name="host"/> (no port, no trailing dot; ASCII compared case-insensitively, anything else
    /// already in lower case) is one of this server's names (kept in lower case); the length of the wildcard that
    /// matched, for preferring the longest.
    /// </summary>
    public int NameMatch(ReadOnlySpan<char> host)
    {
        var best = -1;
        foreach (var name in _names)
        {
            if (host.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return int.MaxValue;
            }

            if (name.StartsWith("*.", StringComparison.Ordinal) && host.EndsWith(name.AsSpan(1), StringComparison.OrdinalIgnoreCase) && name.Length > best)
            {
                best = name.Length;
            }
        }

        return best;
    }
}

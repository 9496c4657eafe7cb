using System.Net;
using System.Text.RegularExpressions;
using EventCore.Sites.Options;
using Microsoft.AspNetCore.Http;

namespace EventCore.Sites.Serving;

/// <summary>The servers of <see cref="SitesOptions"/>, compiled for serving: settings inherited, regexes built.</summary>
internal sealed class SiteTable
{
    private readonly VirtualServer[] _servers;

    private SiteTable(VirtualServer[] servers) => _servers = servers;

    public IReadOnlyList<VirtualServer> Servers => _servers;

    /// <exception cref="InvalidOperationException">A location's regex or modifier is not valid (options from appsettings.json).</exception>
    public static SiteTable Build(SitesOptions options, Func<SiteLocation, StaticFileServer?> staticFiles)
    {
        var global = EffectiveSettings.Defaults.With(options);
        var servers = new List<VirtualServer>();
        foreach (var server in options.Servers)
        {
            var settings = global.With(server);
            var fallback = new SiteLocation(LocationMatch.Prefix, "/", null, null, settings);
            var locations = Compile(server.Locations, settings);
            foreach (var location in All(locations).Append(fallback))
            {
                location.StaticFiles = staticFiles(location);
            }

            ListenAddress[] listen = server.Listen.Count > 0 ? [.. server.Listen.Select(ListenAddress.Parse)] : [ListenAddress.Parse("*:8080")];
            var accessLog = (server.AccessLog ?? options.AccessLog) is { } log && log != "off" ? log : null;
            servers.Add(new VirtualServer(listen, [.. server.ServerName.Select(n => n.ToLowerInvariant())], fallback, locations, accessLog));
        }

        return new SiteTable([.. servers]);
    }

    /// <summary>
    /// The name part of a Host header value as <see cref="HostString.Host"/> gives it (no port; IPv6 in brackets),
    /// without allocating for the common ASCII host; an IDN (<c>xn--</c>) host is decoded by HostString as before.
    /// </summary>
    public static ReadOnlySpan<char> HostName(HttpRequest request)
    {
        var value = request.Headers.Host.ToString();
        if (value.Contains("xn--", StringComparison.OrdinalIgnoreCase))
        {
            return request.Host.Host;
        }

        var span = value.AsSpan();
        var end = span.StartsWith('[') ? span.IndexOf(']') + 1 : span.IndexOf(':');
        return end > 0 ? span[..end] : span;
    }

    /// <summary>Every address any server listens on, once each, in file order.</summary>
    public IEnumerable<ListenAddress> Addresses => Servers.SelectMany(s => s.Listen).Distinct();

    /// <summary>
    /// The server for a request: among the servers listening on the connection's address (all of them when none
    /// does: the sites run in an app with its own URLs), the one whose name is the host exactly, else the one with
    /// the longest matching <c>*.</c> wildcard, else the first (the address's default).
    /// </summary>
    public VirtualServer? Select(IPAddress? localAddress, int localPort, ReadOnlySpan<char> host)
    {
        // No allocation per request: one pass over the servers, the address filter applied in place, the name
        // compared as a span (ASCII case-insensitively; another host is lower-cased the allocating way).
        var anyListens = false;
        foreach (var server in _servers)
        {
            anyListens |= server.ListensOn(localAddress, localPort);
        }

        var name = host.TrimEnd('.');
        if (!System.Text.Ascii.IsValid(name))
        {
            name = name.ToString().ToLowerInvariant();
        }

        VirtualServer? first = null;
        VirtualServer? best = null;
        var bestScore = -1;
        foreach (var server in _servers)
        {
            if (anyListens && !server.ListensOn(localAddress, localPort))
            {
                continue;
            }

            first ??= server;
            var score = server.NameMatch(name);
            if (score > bestScore)
            {
                (best, bestScore) = (server, score);
            }
        }

        return best ?? first;
    }

    private static IEnumerable<SiteLocation> All(IEnumerable<SiteLocation> locations) =>
        locations.SelectMany(l => All(l.Children).Prepend(l));

    /// <summary>One level of locations, each with its nested ones (settings inherited from the enclosing level).</summary>
    private static List<SiteLocation> Compile(IList<SiteLocationOptions> options, EffectiveSettings inherited)
    {
        var level = new List<SiteLocation>();
        foreach (var location in options)
        {
            var settings = inherited.With(location);
            var match = location.Match switch
            {
                "" => LocationMatch.Prefix,
                "=" => LocationMatch.Exact,
                "^~" => LocationMatch.PrefixNoRegex,
                "~" or "~*" => LocationMatch.Regex,
                _ => throw new InvalidOperationException($"Sites: location \"{location.Path}\" has an unknown match \"{location.Match}\" (\"\", =, ^~, ~ or ~*)."),
            };
            Regex? regex = null;
            if (match == LocationMatch.Regex)
            {
                try
                {
                    var flags = RegexOptions.CultureInvariant | (location.Match == "~*" ? RegexOptions.IgnoreCase : RegexOptions.None);
                    regex = new Regex(location.Path, flags, TimeSpan.FromMilliseconds(100));
                }
                catch (ArgumentException e)
                {
                    throw new InvalidOperationException($"Sites: location ~ \"{location.Path}\" is not a valid regular expression: {e.Message}", e);
                }
            }

            level.Add(new SiteLocation(match, location.Path, regex, location.Alias, settings) { Children = Compile(location.Locations, settings) });
        }

        return level;
    }
}

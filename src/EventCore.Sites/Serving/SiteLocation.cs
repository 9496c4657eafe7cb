using System.Text.RegularExpressions;

namespace EventCore.Sites.Serving;

/// <summary>How a location matches a path.</summary>
internal enum LocationMatch
{
    Prefix,
    Exact,
    PrefixNoRegex,
    Regex,
}

/// <summary>
/// One <c>location</c> (or, with <see cref="Path"/> "/" and no modifier, a server's own settings when no location
/// matches), with its settings resolved and its static-file server.
/// </summary>
internal sealed class SiteLocation(LocationMatch match, string path, Regex? regex, string? alias, EffectiveSettings settings)
{
    private SiteRequest? _lastRequest;

    public LocationMatch Match { get; } = match;

    public string Path { get; } = path;

    public Regex? Regex { get; } = regex;

    public string? Alias { get; } = alias;

    public EffectiveSettings Settings { get; } = settings;

    /// <summary>The locations nested in this one, searched when this one matches (nginx's order, see <see cref="VirtualServer.Find"/>).</summary>
    public IReadOnlyList<SiteLocation> Children { get; init; } = [];

    /// <summary>Where files come from: the alias, else the root (null: no files here).</summary>
    public string? BaseFolder => Alias ?? Settings.Root;

    /// <summary>
    /// The request for <paramref name="path"/> in this location: the last one made when it is the same (a record that
    /// never changes, so requests on any thread may share it), else a new one — repeated requests allocate none.
    /// </summary>
    public SiteRequest RequestFor(VirtualServer server, string path, int depth)
    {
        var last = _lastRequest;
        if (last is not null && ReferenceEquals(last.Server, server) && last.Depth == depth && last.Path == path)
        {
            return last;
        }

        return _lastRequest = new SiteRequest(server, this, path, depth);
    }

    /// <summary>ASP.NET Core's static files over <see cref="BaseFolder"/> (set when the host builds the table).</summary>
    public StaticFileServer? StaticFiles { get; set; }

    public bool Matches(string requestPath) => Match switch
    {
        LocationMatch.Exact => requestPath == Path,
        LocationMatch.Regex => RegexMatches(requestPath),
        _ => requestPath.StartsWith(Path, StringComparison.Ordinal),
    };

    /// <summary>A regex that runs past its 100 ms budget (catastrophic backtracking on a hostile path) does not match.</summary>
    private bool RegexMatches(string requestPath)
    {
        try
        {
            return Regex!.IsMatch(requestPath);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// The file a request path names, relative to <see cref="BaseFolder"/> (always starting with <c>/</c>): with
    /// root, the whole path; with alias, what follows the location's prefix.
    /// </summary>
    public string RelativePath(string requestPath)
    {
        if (Alias is null || Match is LocationMatch.Regex)
        {
            return requestPath;
        }

        var rest = requestPath.Length >= Path.Length ? requestPath[Path.Length..] : "";
        return rest.StartsWith('/') ? rest : "/" + rest;
    }

    /// <summary>The absolute file path for <paramref name="relativePath"/>, or null when there is no root.</summary>
    public string? FilePath(string relativePath) =>
        BaseFolder is { } folder ? System.IO.Path.Join(folder, relativePath) : null;
}

namespace EventCore.Sites.Serving;

/// <summary>
/// What the sites chose for the request being served (kept in the request's features so the static-file fallback
/// and error pages can find it): the server, the location and the normalised path; <see cref="Depth"/> counts
/// internal redirects (index files, error pages, CGI local redirects).
/// </summary>
internal sealed record SiteRequest(VirtualServer Server, SiteLocation Location, string Path, int Depth)
{
    public const int MaxDepth = 10;

    public EffectiveSettings Settings => Location.Settings;
}

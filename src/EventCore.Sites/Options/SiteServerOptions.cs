namespace EventCore.Sites.Options;

/// <summary>A <c>server { }</c> block: a virtual server.</summary>
public sealed class SiteServerOptions : SiteServerSettings
{
    /// <summary><c>listen</c>: <c>HOST:PORT</c> addresses (<c>*:8080</c>, <c>127.0.0.1:8080</c>, <c>[::1]:8080</c>). Default <c>*:8080</c>.</summary>
    public IList<string> Listen { get; } = [];

    /// <summary><c>server_name</c>: host names (lower case; <c>*.example.com</c> matches any subdomain).</summary>
    public IList<string> ServerName { get; } = [];

    /// <summary>The <c>location</c> blocks, in order.</summary>
    public IList<SiteLocationOptions> Locations { get; } = [];
}

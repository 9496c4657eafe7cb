namespace EventCore.Sites.Options;

/// <summary>
/// The sites of a server: the <c>Sites</c> configuration section, written by hand in appsettings.json or read from
/// an nginx-style file by <c>AddWebservConfig</c>. The settings of <see cref="SiteSettings"/> given here are the
/// defaults of every server.
/// </summary>
public sealed class SitesOptions : SiteServerSettings
{
    /// <summary>The virtual servers, in order: the first for an address is that address's default.</summary>
    public IList<SiteServerOptions> Servers { get; } = [];

    /// <summary><c>workers</c>: how many epoll loops the host runs; null = one per core.</summary>
    public int? Workers { get; set; }

    /// <summary><c>cgi_max_processes</c>: scripts running at once; one more is answered 503. Default 64.</summary>
    public int? CgiMaxProcesses { get; set; }
}

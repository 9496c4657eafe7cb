namespace EventCore.Sites.Options;

/// <summary>
/// The settings of the top level and of a server block but not of a location: connection timeouts (EventCore's
/// limits hold for the whole server, so the host takes the longest value given anywhere) and the access log.
/// </summary>
public abstract class SiteServerSettings : SiteSettings
{
    /// <summary><c>keepalive_timeout</c>: how long an idle keep-alive connection is kept.</summary>
    public TimeSpan? KeepaliveTimeout { get; set; }

    /// <summary><c>client_header_timeout</c>: how long a client may take to send a request head.</summary>
    public TimeSpan? ClientHeaderTimeout { get; set; }

    /// <summary><c>client_body_timeout</c>: how long a client may send no body bytes.</summary>
    public TimeSpan? ClientBodyTimeout { get; set; }

    /// <summary><c>send_timeout</c>: how long a client may read no response bytes.</summary>
    public TimeSpan? SendTimeout { get; set; }

    /// <summary><c>access_log</c>: a file for the combined log format, or <c>off</c> (the default); a server's wins over the top level's.</summary>
    public string? AccessLog { get; set; }
}

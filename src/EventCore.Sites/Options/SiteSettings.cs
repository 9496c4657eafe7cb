namespace EventCore.Sites.Options;

/// <summary>
/// The settings a server or location inherits from the level above when it does not set them (null: not set here).
/// Each property is one directive of docs/webserv.md.
/// </summary>
public abstract class SiteSettings
{
    /// <summary><c>root</c>: the folder a request's path is looked up in (file = root + path).</summary>
    public string? Root { get; set; }

    /// <summary><c>index</c>: the files tried, in order, for a request for a folder.</summary>
    public IList<string>? Index { get; set; }

    /// <summary><c>autoindex</c>: list a folder that has no index file (else 403).</summary>
    public bool? Autoindex { get; set; }

    /// <summary><c>allow_methods</c>: the methods served; others are answered 405 with <c>Allow</c>. Default GET, HEAD.</summary>
    public IList<string>? AllowMethods { get; set; }

    /// <summary><c>client_max_body_size</c> in bytes: larger request bodies are answered 413; 0 = no limit. Default 1 MiB.</summary>
    public long? ClientMaxBodySize { get; set; }

    /// <summary><c>error_page</c>: status code → the URI (or URL) of the page sent for it.</summary>
    public IDictionary<string, string>? ErrorPages { get; set; }

    /// <summary><c>return</c>: answer at once with this status and redirect or text.</summary>
    public SiteReturn? Return { get; set; }

    /// <summary><c>upload_store</c>: the folder POST and PUT store files in and DELETE removes them from.</summary>
    public string? UploadStore { get; set; }

    /// <summary><c>cgi</c>: file extension (with its dot) → interpreter (a path, a name looked up in PATH, or <c>exec</c> to run the file itself).</summary>
    public IDictionary<string, string>? Cgi { get; set; }

    /// <summary><c>cgi_timeout</c>: the longest a script may run. Default 30 s.</summary>
    public TimeSpan? CgiTimeout { get; set; }

    /// <summary><c>default_type</c>: the media type of files whose extension is not known. Default <c>application/octet-stream</c>.</summary>
    public string? DefaultType { get; set; }

    /// <summary><c>types_file</c>: extension (with its dot) → media type, on top of ASP.NET Core's own table.</summary>
    public IDictionary<string, string>? Types { get; set; }
}

using Microsoft.AspNetCore.Http;

namespace EventCore.Cgi;

/// <summary>
/// Options of the ready-made CGI middleware (<c>app.UseCgi(...)</c>): scripts are the files under
/// <see cref="RootPath"/>, reached under <see cref="RequestPath"/>, run by the interpreter mapped to their extension.
/// </summary>
/// <example>
/// <code>
/// app.UseCgi(new CgiMiddlewareOptions
/// {
///     RootPath = "/srv/cgi",
///     RequestPath = "/cgi-bin",
///     Interpreters = { [".php"] = "/usr/bin/php-cgi", [".py"] = "/usr/bin/python3", [".cgi"] = null },
/// });
/// </code>
/// </example>
public sealed class CgiMiddlewareOptions
{
    /// <summary>The folder holding the scripts. Requests never reach outside it (symlinks included).</summary>
    public required string RootPath { get; set; }

    /// <summary>The URL path the folder is served under, e.g. <c>/cgi-bin</c>; empty for the whole site.</summary>
    public PathString RequestPath { get; set; }

    /// <summary>
    /// Extension (with the dot, case-insensitive) → interpreter: <c>[".py"] = "/usr/bin/python3"</c>; null runs the
    /// file itself (<c>[".cgi"] = null</c>: it must be executable, else 403). Files with other extensions are left to
    /// the rest of the pipeline.
    /// </summary>
    public IDictionary<string, string?> Interpreters { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>DOCUMENT_ROOT</c> (and the base of <c>PATH_TRANSLATED</c>); null means <see cref="RootPath"/>.</summary>
    public string? DocumentRoot { get; set; }

    /// <summary>Overrides <see cref="CgiOptions.Timeout"/> for these scripts.</summary>
    public TimeSpan? Timeout { get; set; }
}

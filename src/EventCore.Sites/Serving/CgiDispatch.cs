using EventCore.Cgi;
using Microsoft.AspNetCore.Http;

namespace EventCore.Sites.Serving;

/// <summary>
/// <c>cgi EXT INTERPRETER;</c> on EventCore.Cgi: the first path segment whose extension is mapped (and that is not a
/// folder) is the script, the rest of the path is PATH_INFO; it wins over static files for every allowed method. A
/// fault answer of the executor (404, 403, 502, 503, 504: a status without a body) goes through the error pages; a
/// script's local redirect (<c>Location: /path</c>) is served by the sites again.
/// </summary>
internal sealed class CgiDispatch(CgiExecutor executor)
{
    /// <summary>The script a path names in this location, or null when it names none.</summary>
    public static CgiScriptMatch? Resolve(SiteRequest site)
    {
        var location = site.Location;
        var cgi = location.Settings.Cgi;
        if (cgi.Count == 0 || location.BaseFolder is null)
        {
            return null;
        }

        var path = site.Path;
        for (var end = path.IndexOf('/', 1); ; end = path.IndexOf('/', end + 1))
        {
            var scriptPath = end < 0 ? path : path[..end];
            var segment = scriptPath[(scriptPath.LastIndexOf('/') + 1)..];
            var dot = segment.LastIndexOf('.');
            if (dot > 0 && cgi.TryGetValue(segment[dot..], out var interpreter))
            {
                var file = location.FilePath(location.RelativePath(scriptPath))!;
                if (!Directory.Exists(file))
                {
                    return new CgiScriptMatch(file, scriptPath, end < 0 ? "" : path[end..], interpreter == "exec" ? null : interpreter);
                }
            }

            if (end < 0)
            {
                return null;
            }
        }
    }

    public async Task RunAsync(HttpContext context, SiteRequest site, CgiScriptMatch match, SitesMiddleware sites)
    {
        if (File.Exists(match.FileName) && !PathSafety.StaysInside(match.FileName, site.Location.BaseFolder!))
        {
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status403Forbidden);
            return;
        }

        var script = new CgiScript
        {
            ScriptFileName = match.FileName,
            Interpreter = match.Interpreter,
            ScriptName = match.ScriptName,
            PathInfo = match.PathInfo,
            DocumentRoot = site.Location.BaseFolder!,
            Timeout = site.Settings.CgiTimeout,
            LocalRedirect = site.Depth < SiteRequest.MaxDepth ? (RequestDelegate)(c => sites.DispatchAsync(c, site.Depth + 1)) : null,
        };
        await executor.ExecuteAsync(context, script);
        if (!context.Response.HasStarted && context.Response.StatusCode >= 400)
        {
            await ErrorResponses.SendAsync(context, site, context.Response.StatusCode);
        }
    }
}

/// <summary>A script found in a path: its file, its URI (SCRIPT_NAME), PATH_INFO and interpreter (null: run the file).</summary>
internal sealed record CgiScriptMatch(string FileName, string ScriptName, string PathInfo, string? Interpreter);

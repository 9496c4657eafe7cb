using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EventCore.Sites.Serving;

/// <summary>
/// GET and HEAD of files and folders: a folder without its trailing slash → 301; a folder → its first existing
/// <c>index</c> file (served as if asked for: it may be a script), else the <c>autoindex</c> listing, else 403; a
/// file → ASP.NET Core's static files; nothing → 404. A path that a symlink takes out of the folder → 403.
/// </summary>
internal sealed partial class SiteFiles(ILogger<SiteFiles> logger)
{
    public async Task ServeAsync(HttpContext context, SiteRequest site, SitesMiddleware sites)
    {
        var location = site.Location;
        var relative = location.RelativePath(site.Path);
        var file = location.FilePath(relative);
        if (file is null || location.StaticFiles is null)
        {
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status404NotFound);
            return;
        }

        if (Directory.Exists(file))
        {
            await ServeFolderAsync(context, site, file, sites);
            return;
        }

        if (!File.Exists(file))
        {
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status404NotFound);
            return;
        }

        if (!PathSafety.StaysInside(file, location.StaticFiles.Folder))
        {
            LogOutside(logger, site.Path);
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status403Forbidden);
            return;
        }

        await location.StaticFiles.ServeAsync(context, relative);
    }

    private async Task ServeFolderAsync(HttpContext context, SiteRequest site, string folder, SitesMiddleware sites)
    {
        if (!site.Path.EndsWith('/'))
        {
            context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            context.Response.Headers.Location = new PathString(site.Path + "/").ToUriComponent() + context.Request.QueryString.ToUriComponent();
            return;
        }

        if (!PathSafety.StaysInside(folder, site.Location.StaticFiles!.Folder))
        {
            LogOutside(logger, site.Path);
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status403Forbidden);
            return;
        }

        foreach (var index in site.Settings.Index)
        {
            if (File.Exists(Path.Join(folder, index)))
            {
                if (site.Depth >= SiteRequest.MaxDepth)
                {
                    await ErrorResponses.SendAsync(context, site, StatusCodes.Status500InternalServerError);
                    return;
                }

                var path = site.Path + index;
                await sites.ServeAsync(context, site with { Location = site.Server.Find(path), Path = path, Depth = site.Depth + 1 });
                return;
            }
        }

        if (site.Settings.Autoindex)
        {
            await AutoIndexPage.SendAsync(context, site.Path, folder);
            return;
        }

        await ErrorResponses.SendAsync(context, site, StatusCodes.Status403Forbidden);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sites: {Path} leads outside its folder through a symlink (403)")]
    private static partial void LogOutside(ILogger logger, string path);
}

using EventCore.Sites.Interop;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EventCore.Sites.Serving;

/// <summary>
/// GET and HEAD of files and folders: a folder without its trailing slash → 301; a folder → its first existing
/// <c>index</c> file (served as if asked for: it may be a script), else the <c>autoindex</c> listing, else 403; a
/// file → <see cref="StaticFileResponse"/> (or, with preconditions or a range, ASP.NET Core's static files); nothing →
/// 404. A path that a symlink takes out of the folder → 403: the lookup is one openat2 that follows no symlink
/// (<see cref="FileOpener"/>); a path with a symlink on the way is resolved with realpath and checked.
/// </summary>
internal sealed partial class SiteFiles(ILogger<SiteFiles> logger)
{
    public Task ServeAsync(HttpContext context, SiteRequest site, SitesMiddleware sites)
    {
        var location = site.Location;
        var relative = location.RelativePath(site.Path);
        if (location.StaticFiles is not { } staticFiles)
        {
            return ErrorResponses.SendAsync(context, site, StatusCodes.Status404NotFound);
        }

        // The fast lookup (one openat2 + fstat); what it cannot decide without following a symlink goes the general way.
        var realFolder = PathSafety.RealFolder(staticFiles.Folder);
        var (fd, status) = (-1, default(FileStatus));
        var opened = realFolder is null ? OpenedFile.Undecided : FileOpener.Open(realFolder, relative, out fd, out status);
        switch (opened)
        {
            case OpenedFile.Regular when StaticFileResponse.IsPlain(context.Request):
                return StaticFileResponse.SendAsync(context, site.Settings, fd, in status, realFolder!, relative);
            case OpenedFile.Regular:
                // Preconditions and ranges: ASP.NET Core's static files (the file is inside: no symlink on the way).
                FileOpener.Close(ref fd);
                return staticFiles.ServeAsync(context, relative);
            case OpenedFile.Missing:
                return ErrorResponses.SendAsync(context, site, StatusCodes.Status404NotFound);
            case OpenedFile.Folder:
                return ServeFolderAsync(context, site, location.FilePath(relative)!, sites, inside: true);
            default:
                return ServeCheckedAsync(context, site, relative, sites);
        }
    }

    /// <summary>The general path: stat, and realpath to see where symlinks lead.</summary>
    private async Task ServeCheckedAsync(HttpContext context, SiteRequest site, string relative, SitesMiddleware sites)
    {
        var location = site.Location;
        var file = location.FilePath(relative)!;
        if (Directory.Exists(file))
        {
            await ServeFolderAsync(context, site, file, sites, inside: false);
            return;
        }

        if (!File.Exists(file))
        {
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status404NotFound);
            return;
        }

        if (!PathSafety.StaysInside(file, location.StaticFiles!.Folder))
        {
            LogOutside(logger, site.Path);
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status403Forbidden);
            return;
        }

        await location.StaticFiles.ServeAsync(context, relative);
    }

    /// <summary>A folder: 301 to add the slash, its index, the autoindex listing or 403.</summary>
    /// <param name="context">The request.</param>
    /// <param name="site">What the sites chose for it.</param>
    /// <param name="folder">The folder's path.</param>
    /// <param name="sites">The way back in, for an index file.</param>
    /// <param name="inside">The fast lookup found the folder without following a symlink: it is inside, no realpath needed.</param>
    private async Task ServeFolderAsync(HttpContext context, SiteRequest site, string folder, SitesMiddleware sites, bool inside)
    {
        if (!site.Path.EndsWith('/'))
        {
            context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            context.Response.Headers.Location = new PathString(site.Path + "/").ToUriComponent() + context.Request.QueryString.ToUriComponent();
            return;
        }

        if (!inside && !PathSafety.StaysInside(folder, site.Location.StaticFiles!.Folder))
        {
            LogOutside(logger, site.Path);
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status403Forbidden);
            return;
        }

        var indexes = site.Settings.Index;
        for (var i = 0; i < indexes.Count; i++)
        {
            var index = indexes[i];
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

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Logging;

namespace EventCore.Sites.Serving;

/// <summary>
/// ASP.NET Core's <see cref="StaticFileMiddleware"/> over one folder (ETag, Last-Modified, 304, single ranges
/// 206/416, HEAD, sendfile through the server): the sites decide which file, it serves it. A request it does not
/// serve goes to <c>next</c> (the sites' 404).
/// </summary>
internal sealed class StaticFileServer
{
    private readonly Func<StaticFileMiddleware> _create;
    private StaticFileMiddleware? _middleware;

    public StaticFileServer(string folder, EffectiveSettings settings, RequestDelegate notFound, IWebHostEnvironment environment, ILoggerFactory loggerFactory)
    {
        Folder = folder;

        // Made on first use: the folder may not exist when the server starts (an upload store, say) and
        // PhysicalFileProvider needs it. Two requests racing here make two equal middlewares; either will do.
        _create = () => new StaticFileMiddleware(notFound, environment, Microsoft.Extensions.Options.Options.Create(new StaticFileOptions
        {
            // Dot files are served as nginx serves them; the sites have checked the path already.
            FileProvider = new PhysicalFileProvider(folder, ExclusionFilters.None),
            ContentTypeProvider = settings.ContentTypes,
            DefaultContentType = settings.DefaultType,
            ServeUnknownFileTypes = true,
        }), loggerFactory);
    }

    public string Folder { get; }

    /// <summary>Serves the file at <paramref name="relativePath"/> (from <c>/</c>) of the folder, for GET or HEAD.</summary>
    public async Task ServeAsync(HttpContext context, string relativePath)
    {
        var request = context.Request;
        var (path, pathBase) = (request.Path, request.PathBase);
        request.PathBase = PathString.Empty;
        request.Path = new PathString(relativePath);
        try
        {
            await (_middleware ??= _create()).Invoke(context);
        }
        finally
        {
            (request.Path, request.PathBase) = (path, pathBase);
        }
    }
}

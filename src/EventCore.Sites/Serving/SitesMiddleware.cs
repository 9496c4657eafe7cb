using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace EventCore.Sites.Serving;

/// <summary>
/// Serves a request as nginx would from the sites: picks the server by address and Host, the location by nginx's
/// precedence, then in nginx's order: <c>client_max_body_size</c> (413 before any body is read); <c>return</c>;
/// <c>allow_methods</c> (405 + Allow); a <c>cgi</c> script; an <c>upload_store</c> for POST, PUT, DELETE; static files for GET
/// and HEAD. Never throws for anything a client sends: bad targets are 400, and every answer goes through the
/// error pages.
/// </summary>
internal sealed partial class SitesMiddleware(SiteTable table, SiteFiles files, Uploads uploads, CgiDispatch cgi, AccessLog accessLog, ILogger<SitesMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await DispatchAsync(context, depth: 0);
        if (context.Features.Get<SiteRequest>()?.Server.AccessLog is { } log)
        {
            accessLog.Write(log, context);
        }
    }

    /// <summary>Serves the request's current target (again, after a CGI local redirect: one level deeper).</summary>
    public async Task DispatchAsync(HttpContext context, int depth)
    {
        var connection = context.Connection;
        var server = table.Select(connection.LocalIpAddress, connection.LocalPort, SiteTable.HostName(context.Request));
        if (server is null)
        {
            await ErrorResponses.SendDefaultAsync(context.Response, StatusCodes.Status404NotFound);
            return;
        }

        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw
            : (context.Request.PathBase + context.Request.Path).ToUriComponent();
        var path = RequestTarget.NormalizePath(rawTarget);
        if (path is null)
        {
            LogBadTarget(logger, rawTarget);
            var site = new SiteRequest(server, server.Fallback, "/", depth);
            context.Features.Set(site);
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status400BadRequest);
            return;
        }

        await ServeAsync(context, server.Find(path).RequestFor(server, path, depth));
    }

    /// <summary>Serves <paramref name="site"/>'s path: also the way back in for index files (an internal redirect).</summary>
    public async Task ServeAsync(HttpContext context, SiteRequest site)
    {
        context.Features.Set(site);
        var settings = site.Settings;
        var method = context.Request.Method;
        if (!ApplyBodyLimit(context, settings.ClientMaxBodySize))
        {
            LogTooLarge(logger, context.Request.ContentLength, settings.ClientMaxBodySize);
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status413PayloadTooLarge);
        }
        else if (settings.Return is { } answer)
        {
            await ReturnAsync(context, site, answer.Code, answer.Text);
        }
        else if (!settings.AllowMethods.Contains(method))
        {
            context.Response.Headers.Allow = settings.AllowHeader;
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status405MethodNotAllowed);
        }
        else if (CgiDispatch.Resolve(site) is { } script)
        {
            await cgi.RunAsync(context, site, script, this);
        }
        else if (settings.UploadStore is not null && method is "POST" or "PUT" or "DELETE")
        {
            await uploads.HandleAsync(context, site);
        }
        else if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            await files.ServeAsync(context, site, this);
        }
        else
        {
            // Allowed by the configuration, but nothing here can take it (no upload_store, no script).
            context.Response.Headers.Allow = "GET, HEAD";
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status405MethodNotAllowed);
        }
    }

    /// <summary>
    /// False when the declared body is over the limit (answered 413 before reading it, so a client waiting for
    /// <c>100 Continue</c> gets the 413 at once); else sets the server's limit for a body of unknown length.
    /// </summary>
    private static bool ApplyBodyLimit(HttpContext context, long? limit)
    {
        if (limit is not null && context.Request.ContentLength > limit)
        {
            return false;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        return true;
    }

    private static async Task ReturnAsync(HttpContext context, SiteRequest site, int code, string? text)
    {
        var response = context.Response;
        if (code is 301 or 302 or 303 or 307 or 308)
        {
            response.StatusCode = code;
            response.Headers.Location = text;
            return;
        }

        if (text is null)
        {
            await ErrorResponses.SendAsync(context, site, code);
            return;
        }

        response.StatusCode = code;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = System.Text.Encoding.UTF8.GetByteCount(text);
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.WriteAsync(text);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sites: request target {Target} refused (400): bad escape, control character or a path above the root")]
    private static partial void LogBadTarget(ILogger logger, string target);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sites: request body of {Length} bytes over client_max_body_size {Limit} (413)")]
    private static partial void LogTooLarge(ILogger logger, long? length, long? limit);
}

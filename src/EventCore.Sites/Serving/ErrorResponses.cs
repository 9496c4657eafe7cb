using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace EventCore.Sites.Serving;

/// <summary>
/// Error answers: the location's <c>error_page</c> for the status (a file of the same server, sent with the original
/// status; or a URL, sent as a 302), else a small HTML page like nginx's.
/// </summary>
internal static class ErrorResponses
{
    public static async Task SendAsync(HttpContext context, SiteRequest? site, int status)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }

        response.StatusCode = status;
        if (site is not null && site.Depth < SiteRequest.MaxDepth && site.Settings.ErrorPages.TryGetValue(status, out var page))
        {
            if (!page.StartsWith('/'))
            {
                response.StatusCode = StatusCodes.Status302Found;
                response.Headers.Location = page;
                return;
            }

            if (await TrySendPageAsync(context, site, status, page))
            {
                return;
            }
        }

        await SendDefaultAsync(response, status);
    }

    private static async Task<bool> TrySendPageAsync(HttpContext context, SiteRequest site, int status, string page)
    {
        var path = RequestTarget.NormalizePath(page);
        if (path is null)
        {
            return false;
        }

        var location = site.Server.Find(path);
        var file = location.FilePath(location.RelativePath(path));
        if (file is null || !File.Exists(file) || !PathSafety.StaysInside(file, location.BaseFolder!))
        {
            return false;
        }

        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = location.Settings.ContentTypes.TryGetContentType(file, out var type) ? type : location.Settings.DefaultType;
        response.ContentLength = new FileInfo(file).Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.SendFileAsync(file, context.RequestAborted);
        }

        return true;
    }

    public static Task SendDefaultAsync(HttpResponse response, int status)
    {
        var title = status.ToString(CultureInfo.InvariantCulture) + " " + WebUtility.HtmlEncode(ReasonPhrases.GetReasonPhrase(status));
        var body = $"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>EventCore</center>\r\n</body>\r\n</html>\r\n";
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = System.Text.Encoding.UTF8.GetByteCount(body);
        return response.HttpContext.Request.Method == HttpMethods.Head ? Task.CompletedTask : response.WriteAsync(body);
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace EventCore.Sites.Serving;

/// <summary><c>autoindex on;</c>: an HTML listing of a folder (name, modified, size), folders first, every name HTML-escaped and its link percent-encoded.</summary>
internal static class AutoIndexPage
{
    public static Task SendAsync(HttpContext context, string path, string folder)
    {
        var title = WebUtility.HtmlEncode("Index of " + path);
        var html = new StringBuilder()
            .Append("<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>").Append(title).Append("</title></head>\n<body>\n<h1>")
            .Append(title).Append("</h1>\n<table>\n<tr><th>Name</th><th>Last modified</th><th>Size</th></tr>\n");
        if (path != "/")
        {
            html.Append("<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n");
        }

        var entries = new DirectoryInfo(folder).EnumerateFileSystemInfos()
            .OrderBy(e => e is FileInfo)
            .ThenBy(e => e.Name, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var isFolder = entry is DirectoryInfo;
            var name = entry.Name + (isFolder ? "/" : "");
            var href = Uri.EscapeDataString(entry.Name) + (isFolder ? "/" : "");
            var size = entry is FileInfo file ? file.Length.ToString(CultureInfo.InvariantCulture) : "-";
            html.Append("<tr><td><a href=\"").Append(href).Append("\">").Append(WebUtility.HtmlEncode(name)).Append("</a></td><td>")
                .Append(entry.LastWriteTimeUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)).Append("</td><td>")
                .Append(size).Append("</td></tr>\n");
        }

        html.Append("</table>\n</body>\n</html>\n");
        var body = html.ToString();
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = Encoding.UTF8.GetByteCount(body);
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.WriteAsync(body);
    }
}

using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace EventCore.Sites.Serving;

/// <summary>
/// <c>upload_store</c>: POST stores the files of a multipart/form-data body, or a raw body, under new names (201);
/// PUT creates (201) or replaces (204) the file the URI names; DELETE removes it (204, 404 if absent, 403 for a
/// folder or a name that is not a plain file name). Bodies stream into a temporary file in the store that is renamed
/// into place when complete (atomic), and deleted when the body cannot be read to its end (client gone, too large).
/// </summary>
internal sealed partial class Uploads(ILogger<Uploads> logger)
{
    private const string TempPrefix = ".upload-";

    public async Task HandleAsync(HttpContext context, SiteRequest site)
    {
        var store = site.Settings.UploadStore!;
        var name = NameInUri(site);
        try
        {
            Directory.CreateDirectory(store);
            switch (context.Request.Method)
            {
                case "PUT":
                    await PutAsync(context, site, store, name);
                    break;
                case "DELETE":
                    await DeleteAsync(context, site, store, name);
                    break;
                default:
                    await PostAsync(context, site, store, name);
                    break;
            }
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException or InvalidDataException)
        {
            LogFailed(logger, context.Request.Method, site.Path, e.Message);
            if (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            var status = e is BadHttpRequestException bad ? bad.StatusCode : e is InvalidDataException ? 400 : 500;
            await ErrorResponses.SendAsync(context, site, status);
        }
        catch (UnauthorizedAccessException e)
        {
            LogFailed(logger, context.Request.Method, site.Path, e.Message);
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status403Forbidden);
        }
    }

    /// <summary>The name the URI gives: what follows the location's prefix (or the last segment), empty for none.</summary>
    private static string NameInUri(SiteRequest site)
    {
        var location = site.Location;
        var rest = location.Match is LocationMatch.Prefix or LocationMatch.PrefixNoRegex && site.Path.StartsWith(location.Path, StringComparison.Ordinal)
            ? site.Path[location.Path.Length..]
            : site.Path[(site.Path.LastIndexOf('/') + 1)..];
        return rest.TrimStart('/');
    }

    private static async Task PutAsync(HttpContext context, SiteRequest site, string store, string name)
    {
        if (!UploadNames.IsSafe(name))
        {
            await ErrorResponses.SendAsync(context, site, name.Length == 0 || name.EndsWith('/') ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest);
            return;
        }

        var target = Path.Join(store, name);
        if (Directory.Exists(target))
        {
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status403Forbidden);
            return;
        }

        var existed = File.Exists(target);
        await ReplaceAsync(context.Request.Body, store, target, context.RequestAborted);
        var response = context.Response;
        response.StatusCode = existed ? StatusCodes.Status204NoContent : StatusCodes.Status201Created;
        if (!existed)
        {
            response.Headers.Location = new PathString(site.Path).ToUriComponent();
            response.ContentLength = 0;
        }
    }

    private static async Task DeleteAsync(HttpContext context, SiteRequest site, string store, string name)
    {
        var target = Path.Join(store, name);
        if (!UploadNames.IsSafe(name) || Directory.Exists(target))
        {
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status403Forbidden);
            return;
        }

        if (!File.Exists(target))
        {
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status404NotFound);
            return;
        }

        File.Delete(target);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task PostAsync(HttpContext context, SiteRequest site, string store, string name)
    {
        var stored = new List<string>();
        var request = context.Request;
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
            if (string.IsNullOrEmpty(boundary))
            {
                await ErrorResponses.SendAsync(context, site, StatusCodes.Status400BadRequest);
                return;
            }

            var reader = new MultipartReader(boundary, request.Body);
            while (await reader.ReadNextSectionAsync(context.RequestAborted) is { } section)
            {
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    && HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value is { Length: > 0 } fileName)
                {
                    stored.Add(await StoreNewAsync(section.Body, store, UploadNames.Sanitize(fileName), context.RequestAborted));
                }
            }
        }
        else
        {
            var fileName = UploadNames.IsSafe(name) ? name : "upload-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            stored.Add(await StoreNewAsync(request.Body, store, fileName, context.RequestAborted));
        }

        if (stored.Count == 0)
        {
            await ErrorResponses.SendAsync(context, site, StatusCodes.Status400BadRequest);
            return;
        }

        var body = string.Concat(stored.Select(s => s + "\n"));
        var response = context.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = Encoding.UTF8.GetByteCount(body);
        await response.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>Stores <paramref name="body"/> under <paramref name="name"/>, or <c>name-1.ext</c>, <c>name-2.ext</c>, ... when taken; returns the name used.</summary>
    private static async Task<string> StoreNewAsync(Stream body, string store, string name, CancellationToken cancellation)
    {
        var temp = await WriteTempAsync(body, store, cancellation);
        try
        {
            var (stem, extension) = (Path.GetFileNameWithoutExtension(name), Path.GetExtension(name));
            for (var i = 0; ; i++)
            {
                var candidate = i == 0 ? name : $"{stem}-{i.ToString(CultureInfo.InvariantCulture)}{extension}";
                var target = Path.Join(store, candidate);
                if (File.Exists(target) || Directory.Exists(target))
                {
                    continue;
                }

                try
                {
                    File.Move(temp, target, overwrite: false);
                    return candidate;
                }
                catch (IOException) when (File.Exists(target))
                {
                    // Taken between the check and the rename by a concurrent upload: try the next name.
                }
            }
        }
        finally
        {
            DeleteQuietly(temp);
        }
    }

    /// <summary>Stores <paramref name="body"/> as <paramref name="target"/>, replacing it in one rename when it exists.</summary>
    private static async Task ReplaceAsync(Stream body, string store, string target, CancellationToken cancellation)
    {
        var temp = await WriteTempAsync(body, store, cancellation);
        try
        {
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            DeleteQuietly(temp);
        }
    }

    /// <summary>Copies the body into a new temporary file of the store; the file is deleted if the copy fails.</summary>
    private static async Task<string> WriteTempAsync(Stream body, string store, CancellationToken cancellation)
    {
        var temp = Path.Join(store, TempPrefix + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
            await body.CopyToAsync(file, 64 * 1024, cancellation);
            return temp;
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Already gone (renamed into place): nothing to do.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sites: {Method} {Path} not stored: {Reason}")]
    private static partial void LogFailed(ILogger logger, string method, string path, string reason);
}

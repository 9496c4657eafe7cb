using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace MinimalApi.Uploads;

/// <summary>
/// <c>POST /api/files</c>: reads the multipart body section by section and streams each file section straight
/// to disk, so memory stays flat whatever the size. All or nothing: when any part fails (body over the limit,
/// client gone, malformed multipart) the files already stored by this request are removed again.
/// </summary>
internal static class MultipartUpload
{
    public static async Task<IResult> ReceiveAsync(HttpRequest request, UploadStore store, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, detail: "Send the files as multipart/form-data.");
        }

        var saved = new List<UploadInfo>();
        try
        {
            var reader = new MultipartReader(boundary, request.Body);
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    && disposition.IsFileDisposition())
                {
                    var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    saved.Add(await store.SaveAsync(fileName, section.Body, cancellationToken));
                }
            }
        }
        catch (Exception ex) when (ex is BadHttpRequestException or InvalidDataException or IOException or OperationCanceledException)
        {
            foreach (var file in saved)
            {
                await store.DeleteAsync(file.Name);
            }

            return ex switch
            {
                BadHttpRequestException bad => Results.Problem(statusCode: bad.StatusCode),
                InvalidDataException => Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "Malformed multipart body."),
                _ => Results.Empty, // The client is gone: nobody reads an answer.
            };
        }

        return saved.Count == 0
            ? Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "No file in the request.")
            : Results.Created("/api/files", saved);
    }
}

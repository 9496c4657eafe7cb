using EventCore.Sites.Interop;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace EventCore.Sites.Serving;

/// <summary>
/// A plain GET or HEAD of a regular file the sites opened (<see cref="FileOpener"/>), answered from that one fstat:
/// Content-Type, Last-Modified, ETag, Accept-Ranges and Content-Length exactly as ASP.NET Core's static files write
/// them (so a client's validators stay valid whichever path served it), then the body: a file up to
/// <see cref="CopyLimit"/> is read with pread straight into the response (head and body leave in one write, no second
/// open), a larger one goes through <see cref="IHttpResponseBodyFeature.SendFileAsync"/> (sendfile on EventCore). A
/// request with a precondition or a range is not plain (<see cref="IsPlain"/>) and takes ASP.NET Core's static files.
/// No allocation for a file whose validators were seen before.
/// </summary>
internal static class StaticFileResponse
{
    /// <summary>EventCore's own small-file limit: below it a copy costs less than sendfile.</summary>
    public const int CopyLimit = 16 * 1024;

    private static readonly StringValues s_bytes = "bytes";

    /// <summary>GET or HEAD without Range, If-Range, If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since.</summary>
    public static bool IsPlain(HttpRequest request)
    {
        var headers = request.Headers;
        return headers.Range.Count == 0 && headers.IfNoneMatch.Count == 0 && headers.IfModifiedSince.Count == 0
            && headers.IfMatch.Count == 0 && headers.IfUnmodifiedSince.Count == 0 && headers.IfRange.Count == 0;
    }

    /// <summary>Answers with the open file <paramref name="fd"/> (closed here, before anything is awaited).</summary>
    public static Task SendAsync(HttpContext context, EffectiveSettings settings, int fd, in FileStatus status, string realFolder, string relative)
    {
        var size = status.Size;
        var response = context.Response;
        var validators = FileValidators.For(status.ModifiedSeconds, size);
        response.ContentType = settings.ContentTypeOf(relative);
        var headers = response.Headers;
        headers.LastModified = validators.LastModified;
        headers.ETag = validators.ETag;
        headers.AcceptRanges = s_bytes;
        response.ContentLength = size;
        if (HttpMethods.IsHead(context.Request.Method) || size == 0)
        {
            FileOpener.Close(ref fd);
            return Task.CompletedTask;
        }

        if (size <= CopyLimit)
        {
            try
            {
                Copy(fd, response.BodyWriter, size);
            }
            finally
            {
                FileOpener.Close(ref fd);
            }

            return Task.CompletedTask;
        }

        FileOpener.Close(ref fd);
        var body = context.Features.Get<IHttpResponseBodyFeature>()!;
        return body.SendFileAsync(string.Concat(realFolder.AsSpan().TrimEnd('/'), relative), 0, size, CancellationToken.None);
    }

    private static void Copy(int fd, System.IO.Pipelines.PipeWriter writer, long size)
    {
        for (long offset = 0; offset < size;)
        {
            var span = writer.GetSpan((int)Math.Min(size - offset, 4096));
            var read = Libc.PRead(fd, span[..(int)Math.Min(span.Length, size - offset)], offset);
            if (read <= 0)
            {
                throw new IOException(read == 0 ? "The file is shorter than its fstat said: it changed while being sent." : "Reading the file failed.");
            }

            writer.Advance((int)read);
            offset += read;
        }
    }
}

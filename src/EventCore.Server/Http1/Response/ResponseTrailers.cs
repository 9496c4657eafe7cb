using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace EventCore.Server.Http1;

/// <summary>
/// Response trailers (<c>IHttpResponseTrailersFeature.Trailers</c>), sent after the last chunk of a chunked HTTP/1.1
/// response (RFC 9112 §7.1.2). Fields are checked as they are set, as response headers are; fields that frame,
/// route or control the message cannot be trailers (RFC 9110 §6.5.1) and throw. Read-only whenever trailers cannot
/// be sent: HTTP/1.0, HEAD, a response framed by Content-Length, or once the response has ended — so
/// <c>Response.SupportsTrailers()</c> is false and <c>AppendTrailer</c> throws, as on Kestrel. One per connection,
/// created on first use and reset per request; request thread only.
/// </summary>
internal sealed class ResponseTrailers() : HeaderDictionary(ResponseHeaderNames.Names)
{
    private static readonly string[] s_forbidden =
    [
        HeaderNames.ContentLength, HeaderNames.TransferEncoding, HeaderNames.Trailer, HeaderNames.Host,
        HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.Upgrade, HeaderNames.TE, HeaderNames.ContentType,
        HeaderNames.ContentEncoding, HeaderNames.ContentRange, HeaderNames.SetCookie, HeaderNames.Authorization,
        HeaderNames.WWWAuthenticate, HeaderNames.CacheControl, HeaderNames.Expires, HeaderNames.Location,
    ];

    private bool _isReadOnly;

    public override bool IsReadOnly => _isReadOnly;

    public Func<string, Encoding?>? EncodingSelector { get; set; }

    public override long? ContentLength
    {
        get => null;
        set => ResponseFieldValidation.Throw("Content-Length cannot be a trailer.");
    }

    public void SetReadOnly(bool readOnly) => _isReadOnly = readOnly;

    /// <summary>A new request: empty and writable again.</summary>
    public void Reset()
    {
        _isReadOnly = false;
        Clear();
    }

    public override void Clear()
    {
        if (Count > 0)
        {
            ThrowIfReadOnly();
            base.Clear();
        }
    }

    public override bool Remove(string key)
    {
        ThrowIfReadOnly();
        return base.Remove(key);
    }

    protected override void Set(string key, StringValues value)
    {
        ThrowIfReadOnly();
        ValidateName(key);
        foreach (var item in value)
        {
            ResponseFieldValidation.ValidateValue(key, item, EncodingSelector);
        }

        base.Set(key, value);
    }

    /// <summary>
    /// Writes the end of a chunked body: the last chunk, the trailer fields of <paramref name="trailers"/> (ours, or a
    /// dictionary the app put in the feature, whose fields are checked here), and the final CRLF.
    /// </summary>
    public static void WriteChunkedEnd(PipeWriter output, IHeaderDictionary? trailers, Func<string, Encoding?>? encodingSelector)
    {
        if (trailers is null || trailers.Count == 0)
        {
            output.Write(ResponseWriter.ChunkedTerminator);
            return;
        }

        if (trailers is not ResponseTrailers)
        {
            // Checked in full before a byte is written: a bad field then cuts the body short instead of ending it.
            foreach (var (name, values) in trailers)
            {
                ValidateName(name);
                foreach (var value in values)
                {
                    ResponseFieldValidation.ValidateValue(name, value, encodingSelector);
                }
            }
        }

        var section = new HeadWriter(output, 64);
        section.Write("0\r\n"u8);
        foreach (var (name, values) in trailers)
        {
            foreach (var value in values)
            {
                if (value is not null)
                {
                    section.WriteField(name, value, encodingSelector);
                }
            }
        }

        section.Write("\r\n"u8);
        section.Commit();
    }

    private static void ValidateName(string name)
    {
        ResponseFieldValidation.ValidateName(name);
        foreach (var forbidden in s_forbidden)
        {
            if (string.Equals(forbidden, name, StringComparison.OrdinalIgnoreCase))
            {
                ResponseFieldValidation.Throw($"'{name}' cannot be sent as a trailer: it frames, routes or controls the message (RFC 9110 §6.5.1).");
            }
        }
    }

    private protected override int Slot(string key) => ResponseHeaderNames.Slot(key);
}

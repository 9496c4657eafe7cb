using System.Text;
using Microsoft.Net.Http.Headers;

namespace EventCore.Server.Http1;

/// <summary>
/// Recognises common request header names by length + bytes (case-insensitive) and returns the shared
/// <see cref="HeaderNames"/> string, so known names never allocate and can be compared by reference.
/// </summary>
internal static class KnownHeaders
{
    private static readonly string[] s_names =
    [
        HeaderNames.Accept, HeaderNames.AcceptCharset, HeaderNames.AcceptEncoding, HeaderNames.AcceptLanguage,
        HeaderNames.Authorization, HeaderNames.CacheControl, HeaderNames.Connection, HeaderNames.ContentEncoding,
        HeaderNames.ContentLength, HeaderNames.ContentType, HeaderNames.Cookie, HeaderNames.Date, HeaderNames.Expect,
        HeaderNames.Host, HeaderNames.IfMatch, HeaderNames.IfModifiedSince, HeaderNames.IfNoneMatch, HeaderNames.IfRange,
        HeaderNames.IfUnmodifiedSince, HeaderNames.KeepAlive, HeaderNames.Origin, HeaderNames.Pragma, HeaderNames.Range,
        HeaderNames.Referer, HeaderNames.TE, HeaderNames.TransferEncoding, HeaderNames.Upgrade, HeaderNames.UserAgent,
        HeaderNames.SecWebSocketKey, HeaderNames.SecWebSocketVersion, HeaderNames.SecWebSocketProtocol,
        HeaderNames.SecWebSocketExtensions, "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
        HeaderNames.XRequestedWith, HeaderNames.UpgradeInsecureRequests, HeaderNames.Baggage, HeaderNames.TraceParent,
        HeaderNames.TraceState, HeaderNames.RequestId, HeaderNames.CorrelationContext, HeaderNames.AccessControlRequestMethod,
        HeaderNames.AccessControlRequestHeaders, "DNT", "Sec-Fetch-Dest", "Sec-Fetch-Mode", "Sec-Fetch-Site", "Sec-Fetch-User",
        "Sec-CH-UA", "Sec-CH-UA-Mobile", "Sec-CH-UA-Platform", "Priority",
    ];

    // Indexed by name length: the candidates of that length, as (ASCII bytes, shared string).
    private static readonly (byte[] Bytes, string Name)[][] s_byLength = BuildTable();

    /// <summary>The shared string for a known header name, or null.</summary>
    public static string? Find(ReadOnlySpan<byte> name)
    {
        if (name.Length >= s_byLength.Length)
        {
            return null;
        }

        foreach (var (bytes, text) in s_byLength[name.Length])
        {
            if (System.Text.Ascii.EqualsIgnoreCase(name, bytes))
            {
                return text;
            }
        }

        return null;
    }

    private static (byte[], string)[][] BuildTable()
    {
        var maxLength = s_names.Max(n => n.Length);
        var table = new (byte[], string)[maxLength + 1][];
        for (var length = 0; length <= maxLength; length++)
        {
            table[length] = [.. s_names.Where(n => n.Length == length).Select(n => (Encoding.ASCII.GetBytes(n), n))];
        }

        return table;
    }
}

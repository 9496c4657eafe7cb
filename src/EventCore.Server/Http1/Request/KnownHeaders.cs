using System.Text;
using Microsoft.Net.Http.Headers;

namespace EventCore.Server.Http1;

/// <summary>
/// The request header names <see cref="RequestHeaders"/> keeps in fixed slots (Kestrel's known request headers plus
/// the browser and proxy fields seen most). The value is the slot index and the enumeration order; at most 64, so the
/// set of slots in use is one <see cref="ulong"/>.
/// </summary>
internal enum KnownHeader : byte
{
    Host,
    Accept,
    AcceptCharset,
    AcceptEncoding,
    AcceptLanguage,
    AccessControlRequestHeaders,
    AccessControlRequestMethod,
    AltUsed,
    Authorization,
    Baggage,
    CacheControl,
    Connection,
    ContentEncoding,
    ContentLength,
    ContentType,
    Cookie,
    CorrelationContext,
    Date,
    Dnt,
    Expect,
    From,
    GrpcAcceptEncoding,
    GrpcEncoding,
    GrpcTimeout,
    IfMatch,
    IfModifiedSince,
    IfNoneMatch,
    IfRange,
    IfUnmodifiedSince,
    KeepAlive,
    MaxForwards,
    Origin,
    Pragma,
    Priority,
    ProxyAuthorization,
    Range,
    Referer,
    RequestId,
    SecChUa,
    SecChUaMobile,
    SecChUaPlatform,
    SecFetchDest,
    SecFetchMode,
    SecFetchSite,
    SecFetchUser,
    SecWebSocketExtensions,
    SecWebSocketKey,
    SecWebSocketProtocol,
    SecWebSocketVersion,
    TE,
    TraceParent,
    TraceState,
    TransferEncoding,
    Upgrade,
    UpgradeInsecureRequests,
    UserAgent,
    Via,
    XForwardedFor,
    XForwardedHost,
    XForwardedProto,
    XRequestedWith,
}

/// <summary>
/// Recognises the <see cref="KnownHeader"/> names by length, first letter and bytes (case-insensitive) and gives the
/// shared <see cref="HeaderNames"/> string, so known names never allocate. Immutable: thread-safe.
/// </summary>
internal static class KnownHeaders
{
    /// <summary>The number of slots.</summary>
    public const int Count = (int)KnownHeader.XRequestedWith + 1;

    // In KnownHeader order.
    private static readonly string[] s_names =
    [
        HeaderNames.Host, HeaderNames.Accept, HeaderNames.AcceptCharset, HeaderNames.AcceptEncoding, HeaderNames.AcceptLanguage,
        HeaderNames.AccessControlRequestHeaders, HeaderNames.AccessControlRequestMethod, "Alt-Used", HeaderNames.Authorization,
        HeaderNames.Baggage, HeaderNames.CacheControl, HeaderNames.Connection, HeaderNames.ContentEncoding, HeaderNames.ContentLength,
        HeaderNames.ContentType, HeaderNames.Cookie, HeaderNames.CorrelationContext, HeaderNames.Date, "DNT", HeaderNames.Expect,
        HeaderNames.From, HeaderNames.GrpcAcceptEncoding, HeaderNames.GrpcEncoding, HeaderNames.GrpcTimeout, HeaderNames.IfMatch,
        HeaderNames.IfModifiedSince, HeaderNames.IfNoneMatch, HeaderNames.IfRange, HeaderNames.IfUnmodifiedSince, HeaderNames.KeepAlive,
        HeaderNames.MaxForwards, HeaderNames.Origin, HeaderNames.Pragma, "Priority", HeaderNames.ProxyAuthorization, HeaderNames.Range,
        HeaderNames.Referer, HeaderNames.RequestId, "Sec-CH-UA", "Sec-CH-UA-Mobile", "Sec-CH-UA-Platform", "Sec-Fetch-Dest",
        "Sec-Fetch-Mode", "Sec-Fetch-Site", "Sec-Fetch-User", HeaderNames.SecWebSocketExtensions, HeaderNames.SecWebSocketKey,
        HeaderNames.SecWebSocketProtocol, HeaderNames.SecWebSocketVersion, HeaderNames.TE, HeaderNames.TraceParent, HeaderNames.TraceState,
        HeaderNames.TransferEncoding, HeaderNames.Upgrade, HeaderNames.UpgradeInsecureRequests, HeaderNames.UserAgent, HeaderNames.Via,
        "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", HeaderNames.XRequestedWith,
    ];

    private static readonly byte[][] s_bytes = [.. s_names.Select(Encoding.ASCII.GetBytes)];

    // The lowercased first letter of each name: one compare rejects most candidates of the right length.
    private static readonly byte[] s_first = [.. s_names.Select(n => (byte)char.ToLowerInvariant(n[0]))];

    // Indexed by name length: the slots of names that long.
    private static readonly byte[][] s_byLength = BuildTable();

    /// <summary>The shared name string of each slot (read only).</summary>
    public static string[] Names => s_names;

    /// <summary>The shared name string of a slot.</summary>
    public static string Name(int slot) => s_names[slot];

    /// <summary>The shared string for a known header name, or null.</summary>
    public static string? Find(ReadOnlySpan<byte> name) => Slot(name) is var slot and >= 0 ? s_names[slot] : null;

    /// <summary>The slot of a header name received (any case), or -1.</summary>
    public static int Slot(ReadOnlySpan<byte> name)
    {
        if ((uint)name.Length < (uint)s_byLength.Length)
        {
            foreach (byte slot in s_byLength[name.Length])
            {
                if ((name[0] | 0x20) == s_first[slot] && Ascii.EqualsIgnoreCase(name, s_bytes[slot]))
                {
                    return slot;
                }
            }
        }

        return -1;
    }

    /// <summary>The slot of a header name the application looks up (any case), or -1; same search as for bytes.</summary>
    public static int Slot(string name)
    {
        if ((uint)name.Length < (uint)s_byLength.Length)
        {
            foreach (byte slot in s_byLength[name.Length])
            {
                if ((name[0] | 0x20) == s_first[slot] && (ReferenceEquals(name, s_names[slot]) || Ascii.EqualsIgnoreCase(name, s_names[slot])))
                {
                    return slot;
                }
            }
        }

        return -1;
    }

    private static byte[][] BuildTable()
    {
        if (s_names.Length != Count || Count > 64)
        {
            throw new InvalidOperationException("KnownHeaders: the names must match KnownHeader one to one, at most 64.");
        }

        var table = new byte[s_names.Max(n => n.Length) + 1][];
        for (var length = 0; length < table.Length; length++)
        {
            table[length] = [.. Enumerable.Range(0, Count).Where(slot => s_names[slot].Length == length).Select(slot => (byte)slot)];
        }

        return table;
    }
}

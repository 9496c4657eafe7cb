using System.Text;
using Microsoft.Net.Http.Headers;

namespace EventCore.Server.Http1;

/// <summary>
/// The response (and trailer) field names kept in slots by <see cref="HeaderDictionary"/>: the ones the server checks
/// for first — in <see cref="KnownResponseHeaders"/>' bit order, so its bits are the slots' — then the ones apps and
/// middleware set most. Each slot's name goes on the wire as precomputed bytes.
/// </summary>
internal static class ResponseHeaderNames
{
    /// <summary>The slots of <see cref="KnownResponseHeaders"/>' fields: the first five.</summary>
    public const uint ServerCheckedMask = 0x1F;

    // Slot 0..4 must follow KnownResponseHeaders (Date, Server, Connection, Transfer-Encoding, Content-Length).
    private static readonly string[] s_names =
    [
        HeaderNames.Date, HeaderNames.Server, HeaderNames.Connection, HeaderNames.TransferEncoding, HeaderNames.ContentLength,
        HeaderNames.ContentType, HeaderNames.CacheControl, HeaderNames.Location, HeaderNames.SetCookie, HeaderNames.ETag,
        HeaderNames.LastModified, HeaderNames.ContentEncoding, HeaderNames.Vary, HeaderNames.AcceptRanges, HeaderNames.Expires,
        HeaderNames.KeepAlive,
    ];

    // "Name: " of each slot, as written on the wire.
    private static readonly byte[][] s_prefixes = [.. s_names.Select(name => Encoding.ASCII.GetBytes(name + ": "))];

    public static int Count => s_names.Length;

    /// <summary>The shared name string of each slot (read only).</summary>
    public static string[] Names => s_names;

    /// <summary>"Name: " in bytes.</summary>
    public static ReadOnlySpan<byte> Prefix(int slot) => s_prefixes[slot];

    /// <summary>The slot of a field name (any case), or -1: told apart by length, then compared.</summary>
    public static int Slot(string name) => name.Length switch
    {
        4 => Match(name, 0) ? 0 : Match(name, 9) ? 9 : Match(name, 12) ? 12 : -1,
        6 => Match(name, 1) ? 1 : -1,
        7 => Match(name, 14) ? 14 : -1,
        8 => Match(name, 7) ? 7 : -1,
        10 => Match(name, 2) ? 2 : Match(name, 8) ? 8 : Match(name, 15) ? 15 : -1,
        12 => Match(name, 5) ? 5 : -1,
        13 => Match(name, 6) ? 6 : Match(name, 10) ? 10 : Match(name, 13) ? 13 : -1,
        14 => Match(name, 4) ? 4 : -1,
        16 => Match(name, 11) ? 11 : -1,
        17 => Match(name, 3) ? 3 : -1,
        _ => -1,
    };

    /// <summary>The shared constant first (what HeaderNames and typed properties pass), then any case.</summary>
    private static bool Match(string name, int slot)
        => ReferenceEquals(name, s_names[slot]) || string.Equals(name, s_names[slot], StringComparison.OrdinalIgnoreCase);
}

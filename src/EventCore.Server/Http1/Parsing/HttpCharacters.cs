using System.Buffers;

namespace EventCore.Server.Http1;

/// <summary>
/// The character classes of RFC 9110 / 9112 / 3986 the parser validates against, as vectorised
/// <see cref="SearchValues{T}"/>, and the small grammar checks built on them (tokens, hosts, ports).
/// </summary>
internal static class HttpCharacters
{
    private const string Digits = "0123456789";
    private const string Alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>tchar (RFC 9110 §5.6.2): the bytes of a token (method, field name, coding, extension name).</summary>
    public static readonly SearchValues<byte> Token = SearchValues.Create(Bytes("!#$%&'*+-.^_`|~" + Digits + Alpha));

    // tchar as a table: a scalar scan of a short field name (most are under 16 bytes) beats a vectorised search.
    private static readonly bool[] s_isToken = [.. Enumerable.Range(0, 256).Select(b => Token.Contains((byte)b))];

    /// <summary>
    /// The bytes a field value may never contain: every CTL (NUL, CR, LF, the other C0 controls and DEL) except HTAB.
    /// SP, VCHAR and obs-text (0x80–0xFF) are allowed (RFC 9110 §5.5).
    /// </summary>
    public static readonly SearchValues<byte> InvalidFieldValue = SearchValues.Create(Range(0x00, 0x08).Concat(Range(0x0A, 0x1F)).Append((byte)0x7F).ToArray());

    /// <summary>
    /// The bytes a request-target may contain: visible ASCII (0x21–0x7E) except '#' (a fragment is never sent).
    /// Raw non-ASCII is refused: RFC 3986 has no raw octets ≥ 0x80 and every client percent-encodes them.
    /// </summary>
    public static readonly SearchValues<byte> Target = SearchValues.Create(Range(0x21, 0x7E).Where(b => b != (byte)'#').ToArray());

    /// <summary>reg-name bytes of RFC 3986 (unreserved / sub-delims; '%' is checked as pct-encoded separately).</summary>
    // RFC 3986 reg-name, less ',': a sub-delim, but in Host it is what a proxy joining two Host fields into one list
    // produces ("a, b"), and Kestrel refuses it in Host and in absolute-form authorities (found by the differential fuzzer).
    private static readonly SearchValues<byte> s_regName = SearchValues.Create(Bytes(Alpha + Digits + "-._~!$&'()*+;=%"));

    /// <summary>The bytes inside an IP-literal's brackets we accept: IPv6 (with an optional embedded IPv4).</summary>
    private static readonly SearchValues<byte> s_ipv6 = SearchValues.Create(Bytes("0123456789ABCDEFabcdef:."));

    /// <summary>HEXDIG (either case).</summary>
    public static readonly SearchValues<byte> HexDigits = SearchValues.Create(Bytes("0123456789ABCDEFabcdef"));

    private static readonly SearchValues<byte> s_digits = SearchValues.Create(Bytes(Digits));

    /// <summary>Whether <paramref name="value"/> is a non-empty token.</summary>
    public static bool IsToken(ReadOnlySpan<byte> value) => !value.IsEmpty && !value.ContainsAnyExcept(Token);

    /// <summary>The length of the run of tchar at the start of <paramref name="value"/>.</summary>
    public static int TokenPrefixLength(ReadOnlySpan<byte> value)
    {
        var i = 0;
        while (i < value.Length && s_isToken[value[i]])
        {
            i++;
        }

        return i;
    }

    /// <summary>Whether <paramref name="value"/> is non-empty and all DIGIT.</summary>
    public static bool IsDigits(ReadOnlySpan<byte> value) => !value.IsEmpty && !value.ContainsAnyExcept(s_digits);

    /// <summary>SP or HTAB (the bytes of OWS / BWS).</summary>
    public static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t';

    /// <summary>The value of a hex digit, or -1.</summary>
    public static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>Removes leading and trailing SP / HTAB.</summary>
    /// <remarks>Two scalar loops: a field value has one SP or none at each end, and the set-based
    /// <c>Trim(" \t"u8)</c> costs a search of the set per byte looked at (every field line passes here).</remarks>
    public static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> value)
    {
        var start = 0;
        while (start < value.Length && IsWhitespace(value[start]))
        {
            start++;
        }

        var end = value.Length;
        while (end > start && IsWhitespace(value[end - 1]))
        {
            end--;
        }

        return value[start..end];
    }

    /// <summary>
    /// Validates <c>uri-host [ ":" port ]</c> (RFC 9110 §7.2, RFC 3986 §3.2.2): a non-empty reg-name or IPv4 address
    /// (with well-formed pct-encodings; no ',', see s_regName), or an IPv6 literal in brackets; the port, if any, is at most five digits
    /// and at most 65535. No userinfo, no IPvFuture, no zone identifiers. With <paramref name="requirePort"/>
    /// (the authority-form of CONNECT) the port must be present and non-empty.
    /// </summary>
    public static bool IsValidHostAndPort(ReadOnlySpan<byte> authority, bool requirePort = false)
    {
        int hostEnd;
        if (authority.IsEmpty)
        {
            return false;
        }

        if (authority[0] == (byte)'[')
        {
            hostEnd = authority.IndexOf((byte)']') + 1;
            if (hostEnd <= 2 || !IsIPv6(authority[1..(hostEnd - 1)]))
            {
                return false;
            }
        }
        else
        {
            hostEnd = authority.IndexOf((byte)':');
            hostEnd = hostEnd < 0 ? authority.Length : hostEnd;
            if (!IsRegName(authority[..hostEnd]))
            {
                return false;
            }
        }

        return IsPortSuffix(authority[hostEnd..], requirePort);
    }

    private static bool IsIPv6(ReadOnlySpan<byte> address)
        => address.Contains((byte)':') && !address.ContainsAnyExcept(s_ipv6);

    private static bool IsRegName(ReadOnlySpan<byte> host)
    {
        if (host.IsEmpty || host.ContainsAnyExcept(s_regName))
        {
            return false;
        }

        for (int i = host.IndexOf((byte)'%'); i >= 0; i = NextIndexOf(host, (byte)'%', i + 3))
        {
            if (i + 2 >= host.Length || !HexDigits.Contains(host[i + 1]) || !HexDigits.Contains(host[i + 2]))
            {
                return false;
            }
        }

        return true;
    }

    private static int NextIndexOf(ReadOnlySpan<byte> span, byte value, int start)
    {
        if (start >= span.Length)
        {
            return -1;
        }

        int index = span[start..].IndexOf(value);
        return index < 0 ? -1 : start + index;
    }

    /// <summary>Empty, or ":" *DIGIT with a value ≤ 65535 (RFC 3986 allows an empty port).</summary>
    private static bool IsPortSuffix(ReadOnlySpan<byte> suffix, bool requirePort)
    {
        if (suffix.IsEmpty)
        {
            return !requirePort;
        }

        if (suffix[0] != (byte)':')
        {
            return false;
        }

        ReadOnlySpan<byte> port = suffix[1..];
        if (port.IsEmpty)
        {
            return !requirePort;
        }

        if (port.Length > 5 || !IsDigits(port))
        {
            return false;
        }

        int value = 0;
        foreach (byte b in port)
        {
            value = (value * 10) + (b - '0');
        }

        return value <= ushort.MaxValue;
    }

    private static byte[] Bytes(string ascii) => [.. ascii.Select(c => (byte)c)];

    private static IEnumerable<byte> Range(int first, int last) => Enumerable.Range(first, last - first + 1).Select(i => (byte)i);
}

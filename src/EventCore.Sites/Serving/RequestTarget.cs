using System.Buffers;
using System.Text;

namespace EventCore.Sites.Serving;

/// <summary>
/// The path of a request as the sites see it: taken from the request-target as sent, percent-decoded exactly once
/// (so <c>%252e</c> stays the three characters <c>%2e</c>), UTF-8, empty segments merged, <c>.</c> and <c>..</c>
/// collapsed. A target whose <c>..</c> climbs above <c>/</c>, or that holds NUL or another control character (raw or
/// encoded), or a bad escape or bad UTF-8, is refused (400).
/// </summary>
internal static class RequestTarget
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The decoded, normalised path of <paramref name="rawTarget"/>, or null when it must be answered 400.</summary>
    public static string? NormalizePath(string rawTarget)
    {
        var target = rawTarget;
        var query = target.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            target = target[..query];
        }

        if (target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            // absolute-form: the server has taken the authority; the path starts at the first slash after it.
            var slash = target.IndexOf('/', target.IndexOf("//", StringComparison.Ordinal) + 2);
            target = slash < 0 ? "/" : target[slash..];
        }

        if (!target.StartsWith('/'))
        {
            return null;
        }

        if (IsPlain(target))
        {
            return target;
        }

        return Decode(target) is { } decoded ? Collapse(decoded) : null;
    }

    /// <summary>The common case, kept as it is (no allocation): printable ASCII, no escape, no empty, "." or ".." segment.</summary>
    private static bool IsPlain(string target)
    {
        for (var i = 0; i < target.Length; i++)
        {
            var c = target[i];
            if (c is <= ' ' or >= (char)0x7F or '%' || (c == '/' && i + 1 < target.Length && target[i + 1] is '/' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static string? Decode(string target)
    {
        // Every character is ASCII or refused, so the bytes are at most as many as the characters.
        const int StackLimit = 512;
        var rented = target.Length > StackLimit ? ArrayPool<byte>.Shared.Rent(target.Length) : null;
        try
        {
            var bytes = rented is null ? stackalloc byte[StackLimit] : rented;
            var count = 0;
            for (var i = 0; i < target.Length; i++)
            {
                int value = target[i];
                if (value == '%')
                {
                    if (i + 2 >= target.Length || !Uri.IsHexDigit(target[i + 1]) || !Uri.IsHexDigit(target[i + 2]))
                    {
                        return null;
                    }

                    value = (Uri.FromHex(target[i + 1]) << 4) | Uri.FromHex(target[i + 2]);
                    i += 2;
                }
                else if (value > 0x7F)
                {
                    return null;
                }

                if (value < 0x20 || value == 0x7F)
                {
                    return null;
                }

                bytes[count++] = (byte)value;
            }

            return s_strictUtf8.GetString(bytes[..count]);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static string? Collapse(string path)
    {
        var segments = new List<string>();
        var parts = path.Split('/');
        for (var i = 1; i < parts.Length; i++)
        {
            switch (parts[i])
            {
                case "" or ".":
                    break;
                case "..":
                    if (segments.Count == 0)
                    {
                        return null;
                    }

                    segments.RemoveAt(segments.Count - 1);
                    break;
                default:
                    segments.Add(parts[i]);
                    break;
            }
        }

        // A path that ends in a slash, "." or ".." names a folder: keep its trailing slash.
        var last = parts[^1];
        var folder = last is "" or "." or ".." && segments.Count > 0;
        return "/" + string.Join('/', segments) + (folder ? "/" : "");
    }
}

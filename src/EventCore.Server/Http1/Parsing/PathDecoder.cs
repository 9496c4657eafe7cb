using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace EventCore.Server.Http1;

/// <summary>
/// Turns the raw request path into <c>HttpRequest.Path</c> the way Kestrel does: percent-decode every %XX except
/// %2F (an encoded '/' must not become a segment separator), remove dot segments (RFC 3986 §5.2.4), then UTF-8.
/// The previous result is reused when the bytes repeat, so a keep-alive client hitting one URL allocates nothing.
/// </summary>
internal sealed class PathDecoder
{
    private const int StackLimit = 512;

    // ASCII but '%' and '.': a path of only these decodes to itself (one scan for "no escape, no dot segment, ASCII").
    private static readonly SearchValues<byte> s_plain = SearchValues.Create([.. Enumerable.Range(0, 128).Where(b => b is not '%' and not '.').Select(b => (byte)b)]);

    private string _lastPath = string.Empty;

    /// <summary>The decoded path, or null when the decoded bytes are not UTF-8 or hold a NUL (%00): answer 400.</summary>
    public string? Decode(ReadOnlySpan<byte> raw)
    {
        if (!raw.ContainsAnyExcept(s_plain))
        {
            return Ascii.Equals(raw, _lastPath) ? _lastPath : (_lastPath = Encoding.ASCII.GetString(raw));
        }

        byte[]? rented = null;
        var buffer = raw.Length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            var length = RemoveDotSegments(buffer[..PercentDecode(raw, buffer)]);
            var path = buffer[..length];
            // A NUL (from %00) would cut the path short in any C API it reaches: refused, as Kestrel does (found by
            // the differential fuzzer).
            if (path.Contains((byte)0) || !Utf8.IsValid(path))
            {
                return null;
            }

            return Ascii.Equals(path, _lastPath) ? _lastPath : (_lastPath = Encoding.UTF8.GetString(path));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Decodes %XX (except %2F/%2f) into <paramref name="destination"/>; returns the length written.</summary>
    internal static int PercentDecode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var written = 0;
        for (var i = 0; i < source.Length; i++)
        {
            var b = source[i];
            if (b == '%' && i + 2 < source.Length)
            {
                // A malformed escape stays as sent (Kestrel does the same); %2F stays encoded.
                var value = (HexValue(source[i + 1]) << 4) | HexValue(source[i + 2]);
                if (value >= 0 && value != '/')
                {
                    b = (byte)value;
                    i += 2;
                }
            }

            destination[written++] = b;
        }

        return written;
    }

    /// <summary>Removes "." and ".." segments in place; returns the new length. The path starts with '/'.</summary>
    internal static int RemoveDotSegments(Span<byte> path)
    {
        var written = 0;
        var read = 0;
        while (read < path.Length)
        {
            // path[read] is '/' (or the start of a relative path, which origin-form never has).
            var end = path[(read + 1)..].IndexOf((byte)'/');
            end = end < 0 ? path.Length : read + 1 + end;
            var segment = path[(read + 1)..end];
            if (segment.SequenceEqual("."u8) || segment.SequenceEqual(".."u8))
            {
                if (segment.Length == 2)
                {
                    written = Math.Max(0, path[..written].LastIndexOf((byte)'/'));
                }

                if (end == path.Length)
                {
                    path[written++] = (byte)'/';
                }
            }
            else
            {
                path[read..end].CopyTo(path[written..]);
                written += end - read;
            }

            read = end;
        }

        return written == 0 ? WriteRoot(path) : written;
    }

    private static int WriteRoot(Span<byte> path)
    {
        if (path.IsEmpty)
        {
            return 0;
        }

        path[0] = (byte)'/';
        return 1;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -0x100,
    };
}

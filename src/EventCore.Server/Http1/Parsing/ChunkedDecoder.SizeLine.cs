namespace EventCore.Server.Http1;

/// <summary>
/// The chunk-size line grammar (RFC 9112 §7.1.1):
/// <c>chunk-size *( BWS ";" BWS ext-name [ BWS "=" BWS ( token / quoted-string ) ] ) CRLF</c>.
/// Whitespace is accepted only where the grammar puts BWS: not after the size or an extension without a following
/// ';' or '=', and never before the CRLF.
/// </summary>
internal sealed partial class ChunkedDecoder
{
    /// <summary>Validates a whole size line (up to, without, its LF) and returns the chunk size.</summary>
    internal static RequestRejection ParseSizeLine(ReadOnlySpan<byte> line, out long size)
    {
        size = 0;
        int digits = line.IndexOfAnyExcept(HttpCharacters.HexDigits);
        digits = digits < 0 ? line.Length : digits;
        // More than 16 digits is refused even when the value is small (leading zeros): a peer that keeps only the
        // first 16 would read "00000000000000000001" as the last chunk (0) and take the rest for a new request.
        if (digits is 0 or > MaxSizeDigits || !TryParseHex(line[..digits], out size))
        {
            return RequestRejection.InvalidChunkSize;
        }

        ReadOnlySpan<byte> rest = line[digits..];
        if (rest.IsEmpty || rest[0] is not ((byte)'\r' or (byte)';' or (byte)' ' or (byte)'\t'))
        {
            return rest.IsEmpty ? RequestRejection.InvalidChunkExtension : RequestRejection.InvalidChunkSize;
        }

        // rest is the extensions followed by the CR of CRLF; a bare LF leaves no CR at its end.
        return rest[^1] == (byte)'\r' && IsValidExtensionList(rest[..^1])
            ? RequestRejection.None
            : RequestRejection.InvalidChunkExtension;
    }

    /// <summary>1*HEXDIG without overflow beyond <see cref="long.MaxValue"/> (leading zeros allowed up to 16 digits in all).</summary>
    private static bool TryParseHex(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        foreach (byte b in digits)
        {
            if (value > long.MaxValue >> 4)
            {
                return false;
            }

            value = (value << 4) | (long)HttpCharacters.HexValue(b);
        }

        return true;
    }

    private static bool IsValidExtensionList(ReadOnlySpan<byte> extensions)
    {
        int i = 0;
        while (i < extensions.Length)
        {
            i = SkipWhitespace(extensions, i);
            if (i == extensions.Length || extensions[i] != (byte)';')
            {
                return false;
            }

            i = EndOfToken(extensions, SkipWhitespace(extensions, i + 1));
            if (i < 0)
            {
                return false;
            }

            int equals = SkipWhitespace(extensions, i);
            if (equals < extensions.Length && extensions[equals] == (byte)'=')
            {
                int valueStart = SkipWhitespace(extensions, equals + 1);
                i = valueStart < extensions.Length && extensions[valueStart] == (byte)'"'
                    ? EndOfQuotedString(extensions, valueStart)
                    : EndOfToken(extensions, valueStart);
                if (i < 0)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> text, int start)
    {
        int end = text[start..].IndexOfAnyExcept((byte)' ', (byte)'\t');
        return end < 0 ? text.Length : start + end;
    }

    /// <summary>The end of the non-empty token at <paramref name="start"/>, or -1 when there is none.</summary>
    private static int EndOfToken(ReadOnlySpan<byte> text, int start)
    {
        int length = text[start..].IndexOfAnyExcept(HttpCharacters.Token);
        length = length < 0 ? text.Length - start : length;
        return length == 0 ? -1 : start + length;
    }

    /// <summary>The end of the quoted-string (RFC 9110 §5.6.4) opening at <paramref name="start"/>, or -1 when malformed.</summary>
    private static int EndOfQuotedString(ReadOnlySpan<byte> text, int start)
    {
        for (int i = start + 1; i < text.Length; i++)
        {
            byte b = text[i];
            if (b == (byte)'"')
            {
                return i + 1;
            }

            // qdtext, or the second byte of a quoted-pair: HTAB, SP, VCHAR, obs-text (no CTL, no DEL).
            i += b == (byte)'\\' ? 1 : 0;
            if (i == text.Length || text[i] is < 0x20 and not (byte)'\t' or 0x7F)
            {
                return -1;
            }
        }

        return -1;
    }
}

using System.Buffers;
using System.Globalization;
using System.Text;

namespace EventCore.Cgi.Execution;

/// <summary>
/// Parses the header block at the start of a script's output (RFC 3875 §6.3): field lines ended by LF or CRLF, then
/// an empty line. Incremental: call <see cref="Parse"/> with the whole buffer so far each time more arrives; it
/// resumes after the last complete line. A line that is not a valid field fails at once, so garbage output is
/// answered without waiting for the script to end. Not thread-safe (one per run).
/// </summary>
internal sealed class CgiHeaderParser
{
    private static readonly SearchValues<byte> s_tokenBytes =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private static readonly HashSet<string> s_hopByHop = new(
        ["Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade"],
        StringComparer.OrdinalIgnoreCase);

    private int _consumed;

    public CgiResponseHead Head { get; } = new();

    /// <summary>Why the block is invalid, after <see cref="HeadParseResult.Invalid"/>.</summary>
    public string? Error { get; private set; }

    /// <summary>Parses the complete lines of <paramref name="buffer"/> not parsed yet; on <see cref="HeadParseResult.Complete"/>, <paramref name="bodyStart"/> is where the body begins.</summary>
    public HeadParseResult Parse(ReadOnlySpan<byte> buffer, out int bodyStart)
    {
        bodyStart = 0;
        while (true)
        {
            var rest = buffer[_consumed..];
            var lineFeed = rest.IndexOf((byte)'\n');
            if (lineFeed < 0)
            {
                return HeadParseResult.NeedMoreData;
            }

            var line = rest[..lineFeed];
            if (line is [.., (byte)'\r'])
            {
                line = line[..^1];
            }

            _consumed += lineFeed + 1;
            if (line.IsEmpty)
            {
                if (Head.FieldCount == 0)
                {
                    return Fail("the output begins with an empty line (no header fields)");
                }

                bodyStart = _consumed;
                return HeadParseResult.Complete;
            }

            if (ParseField(line) is { } error)
            {
                return Fail(error);
            }
        }
    }

    /// <summary>Adds one field line to <see cref="Head"/>; returns why it is invalid, or null.</summary>
    private string? ParseField(ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || line[..colon].ContainsAnyExcept(s_tokenBytes))
        {
            return $"not a header field: \"{Printable(line)}\"";
        }

        var name = Encoding.ASCII.GetString(line[..colon]);
        var rawValue = line[(colon + 1)..].Trim(" \t"u8);
        foreach (var b in rawValue)
        {
            if ((b < 0x20 && b != (byte)'\t') || b == 0x7F)
            {
                return $"a control character in the value of {name}";
            }
        }

        Head.FieldCount++;
        var value = Ascii.IsValid(rawValue) ? Encoding.ASCII.GetString(rawValue) : null;
        switch (name.ToUpperInvariant())
        {
            case "STATUS":
                return SetStatus(value);
            case "LOCATION":
                return SetLocation(value ?? PercentEncodeNonAscii(rawValue));
            case "CONTENT-LENGTH":
                return SetContentLength(value);
        }

        if (value is null)
        {
            // Servers refuse non-ASCII response values by default (Kestrel throws on them); drop the field, keep the answer.
            Head.Dropped.Add($"{name} (its value is not ASCII)");
        }
        else if (s_hopByHop.Contains(name))
        {
            Head.Dropped.Add($"{name} (hop-by-hop: the server frames the response)");
        }
        else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
        {
            Head.ContentType = value;
        }
        else
        {
            Head.Fields.Add(new(name, value));
        }

        return null;
    }

    private string? SetStatus(string? value)
    {
        // Status: 3DIGIT [SP reason-phrase]. 1xx cannot be a final answer, so only 200-999 is taken.
        if (Head.Status is not null)
        {
            return "more than one Status field";
        }

        if (value is null || value.Length < 3 || (value.Length > 3 && value[3] != ' ')
            || !int.TryParse(value.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status < 200)
        {
            return $"an invalid Status \"{value}\"";
        }

        Head.Status = status;
        Head.Reason = value.Length > 4 && value.AsSpan(4).Trim() is { Length: > 0 } reason ? reason.ToString() : null;
        return null;
    }

    private string? SetLocation(string value)
    {
        if (value.Length == 0)
        {
            return "an empty Location";
        }

        Head.Location = value;
        return null;
    }

    private string? SetContentLength(string? value)
    {
        // 1*DIGIT, at most 18 digits (fits a long).
        if (value is null or { Length: 0 or > 18 } || value.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            return $"an invalid Content-Length \"{value}\"";
        }

        var length = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
        if (Head.ContentLength is { } previous && previous != length)
        {
            return "two different Content-Length values";
        }

        Head.ContentLength = length;
        return null;
    }

    private HeadParseResult Fail(string reason)
    {
        Error = reason;
        return HeadParseResult.Invalid;
    }

    private static string PercentEncodeNonAscii(ReadOnlySpan<byte> value)
    {
        var builder = new StringBuilder(value.Length * 2);
        foreach (var b in value)
        {
            if (b < 0x80)
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static string Printable(ReadOnlySpan<byte> line)
    {
        var shown = line[..Math.Min(line.Length, 80)];
        var builder = new StringBuilder(shown.Length + 3);
        foreach (var b in shown)
        {
            builder.Append(b is >= 0x20 and < 0x7F ? (char)b : '.');
        }

        return line.Length > shown.Length ? builder.Append("...").ToString() : builder.ToString();
    }
}

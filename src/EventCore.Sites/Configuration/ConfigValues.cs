using System.Globalization;
using System.Net;

namespace EventCore.Sites.Configuration;

/// <summary>Parses the values of directives: sizes, durations, counts, switches, listen addresses. Null: not valid.</summary>
internal static class ConfigValues
{
    /// <summary><c>1024</c>, <c>10k</c>, <c>10m</c>, <c>1g</c> (binary units, either case) → bytes.</summary>
    public static long? Size(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        var (digits, unit) = char.IsAsciiDigit(text[^1]) ? (text, 1L) : (text[..^1], char.ToLowerInvariant(text[^1]) switch
        {
            'k' => 1L << 10,
            'm' => 1L << 20,
            'g' => 1L << 30,
            _ => 0L,
        });
        if (unit == 0 || !TryDigits(digits, out var number))
        {
            return null;
        }

        try
        {
            return checked(number * unit);
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    /// <summary><c>30</c> (seconds), <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>, or a sequence (<c>1m30s</c>).</summary>
    public static TimeSpan? Duration(string text)
    {
        if (TryDigits(text, out var bare))
        {
            return bare <= int.MaxValue ? TimeSpan.FromSeconds(bare) : null;
        }

        var total = TimeSpan.Zero;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            if (!TryDigits(text[start..unitStart], out var number) || number > int.MaxValue)
            {
                return null;
            }

            TimeSpan? part = text[unitStart..i] switch
            {
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "m" => TimeSpan.FromMinutes(number),
                "h" => TimeSpan.FromHours(number),
                "d" => TimeSpan.FromDays(number),
                _ => null,
            };
            if (part is null)
            {
                return null;
            }

            total += part.Value;
        }

        return total;
    }

    /// <summary>A whole number from <paramref name="min"/> up.</summary>
    public static int? Count(string text, int min) =>
        TryDigits(text, out var value) && value >= min && value <= int.MaxValue ? (int)value : null;

    /// <summary><c>on</c> / <c>off</c>.</summary>
    public static bool? Switch(string text) => text switch { "on" => true, "off" => false, _ => null };

    /// <summary>
    /// <c>[HOST:]PORT</c>, <c>*:PORT</c>, <c>[IPv6]:PORT</c>, <c>HOST</c> (port 8080) → the normalised
    /// <c>HOST:PORT</c> (<c>*</c> for any address, IPv6 in brackets); HOST is an IP address, <c>*</c> or <c>localhost</c>.
    /// </summary>
    public static string? Listen(string text)
    {
        string host;
        string? port;
        if (TryDigits(text, out _))
        {
            (host, port) = ("*", text);
        }
        else if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return null;
            }

            host = text[..(close + 1)];
            var rest = text[(close + 1)..];
            port = rest.Length == 0 ? "8080" : rest.StartsWith(':') ? rest[1..] : null;
        }
        else
        {
            var colon = text.LastIndexOf(':');
            (host, port) = colon < 0 ? (text, "8080") : (text[..colon], text[(colon + 1)..]);
        }

        if (port is null || Count(port, 1) is not { } number || number > 65535 || !ValidHost(host))
        {
            return null;
        }

        return host.ToLowerInvariant() + ":" + number.ToString(CultureInfo.InvariantCulture);
    }

    private static bool ValidHost(string host) =>
        host is "*" or "localhost"
        || (host.StartsWith('[') && host.EndsWith(']') && IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        || (IPAddress.TryParse(host, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && host.Count(c => c == '.') == 3);

    private static bool TryDigits(string text, out long value)
    {
        value = 0;
        if (text.Length is 0 or > 18 || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        value = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }
}

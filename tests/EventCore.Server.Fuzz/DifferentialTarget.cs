using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using EventCore.Server.Http1;

namespace EventCore.Server.Fuzz;

/// <summary>
/// Differential fuzzing against Kestrel: the same bytes go through EventCore's parser (head, framing, body) and,
/// over loopback, through Kestrel. Every input must be either accepted by both with the same method, target,
/// header fields and body — the same framing — or rejected by EventCore. EventCore accepting what Kestrel refuses
/// is a finding unless a known, smuggling-safe normalisation of the input makes the two agree (see
/// <see cref="s_allowedDifferences"/>): then the difference is one where EventCore follows the RFC and Kestrel is
/// stricter, and it changes nothing about where the request ends.
/// </summary>
internal static class DifferentialTarget
{
    private static readonly HttpParser s_parser = new(HttpParserLimits.Default);
    private static readonly System.Buffers.SearchValues<byte> s_hexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF"u8);

    /// <summary>
    /// Differences allowed, each as a normalisation of the input after which both must agree:
    /// <list type="bullet">
    /// <item>Empty lines before the request line: RFC 9112 §2.2 says a server SHOULD ignore at least one; Kestrel refuses them.</item>
    /// <item>obs-text (bytes 0x80–0xFF) in field values: RFC 9110 §5.5 allows it; Kestrel refuses non-ASCII by default.</item>
    /// <item>Repeated identical Content-Length values: RFC 9112 §6.3 allows treating them as one; Kestrel refuses them.
    /// Both would frame the body with the same length, so nothing can be smuggled.</item>
    /// <item>An absolute-form target with a different Host: RFC 9112 §3.2.2 says the server MUST ignore Host and use the
    /// target's authority (EventCore does); Kestrel refuses the mismatch. Routing, not framing.</item>
    /// <item>Sub-delims ';', '=', '*', '+' and pct-encodings in Host: RFC 3986 §3.2.2 reg-name allows them; Kestrel
    /// refuses them (it accepts the other sub-delims). Routing, not framing. (A ',' EventCore refuses too.)</item>
    /// <item>Absolute-form targets Kestrel does not take (an upper-case scheme, no path): EventCore parses the
    /// absolute-URI of RFC 9112 §3.2.2 and routes by its authority; compared as the equivalent origin-form request.</item>
    /// <item>HTTP/1.2 to HTTP/1.9: served as HTTP/1.1 (RFC 9110 §2.5: a higher minor version is compatible); Kestrel
    /// refuses them.</item>
    /// <item>An empty port in Host ("a:"): RFC 3986 §3.2.3 allows it; Kestrel refuses it.</item>
    /// <item>Leading zeros in a chunk size (up to 16 digits in all): RFC 9112 §7.1 allows any; Kestrel refuses long ones.
    /// The value is the same for every reader that does not truncate, and EventCore refuses more than 16 digits.</item>
    /// <item>A trailer section within EventCore's limits (100 fields) that Kestrel refuses because it counts trailers
    /// and headers together against one limit. The body ends at the same byte either way.</item>
    /// <item>CONNECT with an authority-form target: EventCore hands it to the app (RFC 9112 §3.2.3); Kestrel refuses it
    /// over HTTP/1.x. Compared as a GET of "/" with the authority as Host; the framing rules are the same.</item>
    /// <item>Whitespace (BWS) around ';' and '=' in chunk extensions: the RFC 9112 §7.1.1 grammar allows it; Kestrel
    /// refuses it. The chunk size before it is unambiguous.</item>
    /// </list>
    /// </summary>
    private static readonly (string Name, Func<byte[], byte[]> Normalise)[] s_allowedDifferences =
    [
        ("leading empty lines", StripLeadingEmptyLines),
        ("absolute-form target", OriginForm),
        ("obs-text in field values", ReplaceObsText),
        ("repeated identical Content-Length", DropRepeatedContentLength),
        ("absolute-form authority differs from Host", HostFromAuthority),
        ("BWS in chunk extensions", StripChunkExtensionWhitespace),
        ("sub-delims or pct-encoding in Host", PlainHost),
        ("leading zeros in a chunk size", StripChunkSizeZeros),
        ("trailer fields over Kestrel's count", DropTrailers),
        ("CONNECT", ConnectAsGet),
        ("HTTP/1.x above 1.1", Http11),
    ];

    /// <summary>Counts of what the run saw, for the report.</summary>
    public static DifferentialStats Stats { get; } = new();

    public static void Run(byte[] input)
    {
        var ours = Understand(input);
        if (ours is null)
        {
            Stats.RejectedByEventCore++;
            return;
        }

        // Kestrel's answer is read with a timeout: on a loaded machine a slow answer reads as a refusal, so ask twice.
        var theirs = KestrelReference.Instance.Send(input);
        theirs = theirs == ours ? theirs : KestrelReference.Instance.Send(input);
        if (theirs == ours)
        {
            Stats.Agreed++;
            return;
        }

        // Each normalisation alone, then all of them together (an input may have two allowed differences).
        var all = input;
        foreach (var (name, normalise) in s_allowedDifferences)
        {
            var normalised = normalise(input);
            all = normalise(all);
            if (Agree(input, normalised))
            {
                Stats.AllowedDifference(name);
                return;
            }
        }

        if (Agree(input, all))
        {
            Stats.AllowedDifference("several");
            return;
        }

        throw new FuzzFinding(theirs is null
            ? $"EventCore accepted what Kestrel refused:\n{ours}"
            : $"EventCore and Kestrel understood the request differently:\n  EventCore: {ours}\n  Kestrel:   {theirs}");
    }

    private static bool Agree(byte[] input, byte[] normalised)
        => !normalised.AsSpan().SequenceEqual(input) && Understand(normalised) is { } ours && ours == KestrelReference.Instance.Send(normalised);

    /// <summary>EventCore's transcript of the first request, or null when it refuses it (or it is incomplete).</summary>
    public static string? Understand(byte[] input)
    {
        var head = HeadRecorder.Parse(s_parser, new ReadOnlySequence<byte>(input));
        if (!head.Accepted || new PathDecoder().Decode(head.Path) is null && head.Path.Length > 0)
        {
            return null;
        }

        var rest = input.AsMemory((int)head.Consumed);
        byte[] body;
        switch (head.BodyKind)
        {
            case RequestBodyKind.ContentLength when head.ContentLength > rest.Length:
                return null;
            case RequestBodyKind.ContentLength:
                body = rest[..(int)head.ContentLength].ToArray();
                break;
            case RequestBodyKind.Chunked:
                var chunked = ChunkedRecorder.Decode(s_parser, new ReadOnlySequence<byte>(rest));
                if (chunked.Status != ChunkedStatus.Complete)
                {
                    return null;
                }

                body = chunked.Data;
                break;
            default:
                body = [];
                break;
        }

        return Transcript.Format(head.Method, Encoding.Latin1.GetString(head.Target), head.Headers, body);
    }

    /// <summary>Sets the Host field of an absolute-form request to the target's authority.</summary>
    private static byte[] HostFromAuthority(byte[] input)
    {
        var text = Encoding.Latin1.GetString(input);
        var match = Regex.Match(text, @"^[^ ]+ [a-zA-Z][a-zA-Z0-9+.-]*://([^/?# ]*)[^ ]* [^\r\n]*\r\n");
        if (!match.Success)
        {
            return input;
        }

        var authority = match.Groups[1].Value;
        var userInfo = authority.LastIndexOf('@');
        authority = userInfo < 0 ? authority : authority[(userInfo + 1)..];
        return Encoding.Latin1.GetBytes(Regex.Replace(text, @"(?im)^host:[^\r\n]*(?=\r\n)", "Host: " + authority.Replace("$", "$$", StringComparison.Ordinal)));
    }

    /// <summary>Strips leading zeros from the chunk sizes after the head (one zero stays for the last chunk).</summary>
    private static byte[] StripChunkSizeZeros(byte[] input)
        => RewriteSizeLines(input, line =>
        {
            var digits = line.IndexOfAnyExcept(s_hexDigits);
            digits = digits < 0 ? line.Length : digits;
            var zeros = 0;
            while (zeros < digits - 1 && line[zeros] == (byte)'0')
            {
                zeros++;
            }

            return line[zeros..].ToArray();
        });

    /// <summary>
    /// Rewrites each chunk-size line of the body after the head with <paramref name="rewrite"/>, walking the chunk
    /// structure so that chunk data is left alone; what cannot be walked is copied as it is.
    /// </summary>
    private static byte[] RewriteSizeLines(byte[] input, Func<ReadOnlySpan<byte>, byte[]> rewrite)
    {
        var headEnd = input.AsSpan().IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            return input;
        }

        var output = new List<byte>(input.AsSpan(0, headEnd + 4).ToArray());
        var position = headEnd + 4;
        while (position < input.Length)
        {
            var lineEnd = input.AsSpan(position).IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            var line = input.AsSpan(position, lineEnd);
            var digits = line.IndexOfAnyExcept(s_hexDigits);
            var size = long.TryParse(Encoding.ASCII.GetString(line[..(digits < 0 ? line.Length : digits)]), System.Globalization.NumberStyles.HexNumber, null, out var parsed) ? parsed : 0;
            output.AddRange(rewrite(line));
            output.AddRange("\r\n"u8.ToArray());
            position += lineEnd + 2;
            if (size <= 0 || size > input.Length - position)
            {
                break;
            }

            // The data and the CRLF after it.
            var data = (int)Math.Min(size + 2, input.Length - position);
            output.AddRange(input.AsSpan(position, data).ToArray());
            position += data;
        }

        output.AddRange(input.AsSpan(Math.Min(position, input.Length)).ToArray());
        return [.. output];
    }

    /// <summary>Rewrites "CONNECT host:port HTTP/1.x" as "GET / HTTP/1.x" with the authority as the only Host.</summary>
    private static byte[] ConnectAsGet(byte[] input)
    {
        var text = Encoding.Latin1.GetString(input);
        var match = Regex.Match(text, @"^CONNECT ([^ /]+)( [^\r\n]*\r\n)");
        return !match.Success ? input
            : Encoding.Latin1.GetBytes($"GET /{match.Groups[2].Value}Host: {match.Groups[1].Value}\r\n{Regex.Replace(text[match.Length..], @"(?im)^host:[^\r\n]*\r\n", "")}");
    }

    /// <summary>Removes the trailer fields after the last chunk ("0\r\n" fields "\r\n" becomes "0\r\n\r\n").</summary>
    private static byte[] DropTrailers(byte[] input)
    {
        var text = Encoding.Latin1.GetString(input);
        var last = text.IndexOf("\r\n0\r\n", StringComparison.Ordinal);
        var end = last < 0 ? -1 : text.IndexOf("\r\n\r\n", last + 3, StringComparison.Ordinal);
        return end < 0 ? input : Encoding.Latin1.GetBytes(text[..(last + 5)] + text[(end + 2)..]);
    }

    /// <summary>Turns an absolute-form target into origin-form, with the authority as the only Host.</summary>
    private static byte[] OriginForm(byte[] input)
    {
        var text = Encoding.Latin1.GetString(input);
        var match = Regex.Match(text, @"^([^ ]+) [a-zA-Z][a-zA-Z0-9+.-]*://([^/?# ]*)([^ ]*)( [^\r\n]*\r\n)");
        if (!match.Success)
        {
            return input;
        }

        var path = match.Groups[3].Value;
        path = path.StartsWith('/') ? path : "/" + path;
        var rest = Regex.Replace(text[match.Length..], @"(?im)^host:[^\r\n]*\r\n", "");
        return Encoding.Latin1.GetBytes($"{match.Groups[1].Value} {path}{match.Groups[4].Value}Host: {match.Groups[2].Value}\r\n{rest}");
    }

    private static byte[] Http11(byte[] input)
        => Encoding.Latin1.GetBytes(Regex.Replace(Encoding.Latin1.GetString(input), @"^([^\r\n]* HTTP/1\.)[2-9]\r\n", "${1}1\r\n"));

    /// <summary>Replaces ';', '=', '*', '+' and '%' in Host field values with 'x', and drops an empty port.</summary>
    private static byte[] PlainHost(byte[] input)
        => Encoding.Latin1.GetBytes(Regex.Replace(Encoding.Latin1.GetString(input), @"(?im)^(host:)([^\r\n]*)(?=\r\n)", m => m.Groups[1].Value + Regex.Replace(Regex.Replace(m.Groups[2].Value, @":[ \t]*$", ""), "[;=*+%]", "x")));

    /// <summary>Removes spaces and tabs around ';' and '=' in the chunk-size lines (not in chunk data).</summary>
    private static byte[] StripChunkExtensionWhitespace(byte[] input)
        => RewriteSizeLines(input, line => Encoding.Latin1.GetBytes(Regex.Replace(Encoding.Latin1.GetString(line), @"[ \t]*([;=])[ \t]*", "$1")));

    private static byte[] StripLeadingEmptyLines(byte[] input)
    {
        var start = 0;
        while (start + 1 < input.Length && input[start] == (byte)'\r' && input[start + 1] == (byte)'\n')
        {
            start += 2;
        }

        return input[start..];
    }

    /// <summary>Replaces bytes 0x80–0xFF with 'x' (in the body too: both sides get the same body, and trailers may hold them).</summary>
    private static byte[] ReplaceObsText(byte[] input)
    {
        var copy = (byte[])input.Clone();
        for (var i = 0; i < copy.Length; i++)
        {
            if (copy[i] >= 0x80)
            {
                copy[i] = (byte)'x';
            }
        }

        return copy;
    }

    /// <summary>Keeps the first Content-Length field line of the head and drops the rest; "5, 5" becomes "5".</summary>
    private static byte[] DropRepeatedContentLength(byte[] input)
    {
        var text = Encoding.Latin1.GetString(input);
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headEnd < 0)
        {
            return input;
        }

        var lines = text[..headEnd].Split("\r\n");
        var seen = false;
        var kept = new List<string>();
        foreach (var line in lines)
        {
            if (line.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase))
            {
                if (seen)
                {
                    continue;
                }

                seen = true;
                var value = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(',')[0].Trim();
                kept.Add("Content-Length: " + value);
                continue;
            }

            kept.Add(line);
        }

        return Encoding.Latin1.GetBytes(string.Join("\r\n", kept) + text[headEnd..]);
    }
}

/// <summary>What a differential run saw (not thread-safe: one fuzzing thread).</summary>
internal sealed class DifferentialStats
{
    public long Agreed { get; set; }

    public long RejectedByEventCore { get; set; }

    public Dictionary<string, long> Allowed { get; } = [];

    public void AllowedDifference(string name) => Allowed[name] = Allowed.GetValueOrDefault(name) + 1;

    public override string ToString()
        => $"agreed {Agreed}, refused by EventCore {RejectedByEventCore}" + string.Concat(Allowed.Select(a => $", allowed difference '{a.Key}' {a.Value}"));
}

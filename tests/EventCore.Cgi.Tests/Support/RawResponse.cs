using System.Globalization;
using System.Text;

namespace EventCore.Cgi.Tests.Support;

/// <summary>A response as bytes came off the wire: status, header fields in order, the body with its framing undone.</summary>
internal sealed class RawResponse
{
    public int Status { get; private init; }

    public string Reason { get; private init; } = "";

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public byte[] Body { get; private init; } = [];

    /// <summary>Whether the body ended as its framing says (the chunked terminator, or all of Content-Length).</summary>
    public bool Complete { get; private init; }

    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public IEnumerable<string> All(string name) => Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>Null when not even a complete head arrived (the server aborted before sending it).</summary>
    public static RawResponse? TryParse(byte[] bytes) =>
        Encoding.Latin1.GetString(bytes).Contains("\r\n\r\n", StringComparison.Ordinal) ? Parse(bytes) : null;

    public static RawResponse Parse(byte[] bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(headEnd > 0, $"No complete response head in:\n{text}");
        var lines = text[..headEnd].Split("\r\n");
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1].Trim())).ToList();
        var rest = bytes.AsSpan(headEnd + 4);
        var chunked = headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        var lengthHeader = headers.FirstOrDefault(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
        var (body, complete) = chunked ? Dechunk(rest)
            : lengthHeader is not null ? (rest[..Math.Min(rest.Length, int.Parse(lengthHeader, CultureInfo.InvariantCulture))].ToArray(), rest.Length >= int.Parse(lengthHeader, CultureInfo.InvariantCulture))
            : (rest.ToArray(), true);
        var statusLine = lines[0].Split(' ', 3);
        var response = new RawResponse
        {
            Status = int.Parse(statusLine[1], CultureInfo.InvariantCulture),
            Reason = statusLine.Length > 2 ? statusLine[2] : "",
            Body = body,
            Complete = complete,
        };
        response.Headers.AddRange(headers);
        return response;
    }

    private static (byte[] Body, bool Complete) Dechunk(ReadOnlySpan<byte> data)
    {
        var body = new MemoryStream();
        while (true)
        {
            var lineEnd = data.IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                return (body.ToArray(), false);
            }

            var size = int.Parse(Encoding.ASCII.GetString(data[..lineEnd]).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            data = data[(lineEnd + 2)..];
            if (size == 0)
            {
                return (body.ToArray(), true);
            }

            if (data.Length < size + 2)
            {
                body.Write(data[..Math.Min(size, data.Length)]);
                return (body.ToArray(), false);
            }

            body.Write(data[..size]);
            data = data[(size + 2)..];
        }
    }
}

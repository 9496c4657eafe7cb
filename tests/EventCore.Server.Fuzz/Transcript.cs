using System.Text;

namespace EventCore.Server.Fuzz;

/// <summary>
/// The canonical form in which both servers' understanding of a request is compared: method, raw target, the
/// header fields grouped by lower-cased name (values in arrival order, joined by U+0001, which no field value can
/// hold; Kestrel does not keep the order between
/// names), and the decoded body in hex — a body that differs is a framing disagreement.
/// </summary>
internal static class Transcript
{
    public static string Format(string method, string target, IEnumerable<(string Name, string Value)> headers, byte[] body)
    {
        var text = new StringBuilder().Append(method).Append(' ').Append(target).Append('\n');
        var fields = headers.ToList();
        var lastConnection = fields.FindLastIndex(h => h.Name.Equals("connection", StringComparison.OrdinalIgnoreCase));
        fields = [.. fields.Where((h, i) => i == lastConnection || !h.Name.Equals("connection", StringComparison.OrdinalIgnoreCase))];
        foreach (var group in fields.GroupBy(h => h.Name.ToLowerInvariant()).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // Kestrel hands the app Connection as a cleaned-up list (lower-cased, empty members dropped) and
            // Content-Length as the number it parsed ("05" is 5); both sides are compared in that form. Several
            // Connection fields: Kestrel keeps one, so Connection is compared only by its last field.
            var values = group.Select(h => group.Key switch
            {
                "connection" => CleanList(h.Value),
                "content-length" => CleanList(h.Value).TrimStart('0') is { Length: > 0 } digits ? digits : "0",
                _ => h.Value,
            });
            text.Append(group.Key).Append(": ").Append(string.Join("\u0001", values)).Append('\n');
        }

        return text.Append("body ").Append(Convert.ToHexString(body)).ToString();
    }

    private static string CleanList(string value)
        => string.Join(",", value.ToLowerInvariant().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}

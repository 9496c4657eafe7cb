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
        foreach (var group in headers.GroupBy(h => h.Name.ToLowerInvariant()).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // Kestrel hands the app Connection's values lower-cased; the case of a connection option means nothing.
            var values = group.Select(h => group.Key == "connection" ? h.Value.ToLowerInvariant() : h.Value);
            text.Append(group.Key).Append(": ").Append(string.Join("\u0001", values)).Append('\n');
        }

        return text.Append("body ").Append(Convert.ToHexString(body)).ToString();
    }
}

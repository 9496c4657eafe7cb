using System.Text;

namespace EventCore.Sites.Serving;

/// <summary>
/// File names that are safe to store: the last segment only (no folders), no control characters, no characters
/// that shells and other systems treat specially, no leading dots (no hidden files, no <c>..</c>), at most 200 bytes.
/// </summary>
internal static class UploadNames
{
    private const int MaxBytes = 200;

    public static string Sanitize(string name)
    {
        var last = name.Replace('\\', '/');
        last = last[(last.LastIndexOf('/') + 1)..];
        var clean = new StringBuilder(last.Length);
        foreach (var c in last)
        {
            clean.Append(char.IsControl(c) || c is ':' or '*' or '?' or '"' or '<' or '>' or '|' or '%' || char.IsWhiteSpace(c) && c != ' ' ? '_' : c);
        }

        var result = clean.ToString().Trim().TrimStart('.');
        while (Encoding.UTF8.GetByteCount(result) > MaxBytes)
        {
            result = result[..^1];
        }

        return result.Length == 0 ? "upload" : result;
    }

    /// <summary>Whether <paramref name="name"/> is already safe (what PUT and DELETE require of the name in the URI).</summary>
    public static bool IsSafe(string name) => name.Length > 0 && Sanitize(name) == name;
}

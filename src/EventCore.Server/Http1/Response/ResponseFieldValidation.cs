using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace EventCore.Server.Http1;

/// <summary>
/// Checks of response header and trailer fields as they are set, so nothing unchecked reaches the wire: names are
/// tokens; values are printable ASCII or HTAB, unless <see cref="EventCoreServerOptions.ResponseHeaderEncodingSelector"/>
/// names an encoding for the field, in which case any character but a control character is allowed (Kestrel's
/// rules and message). Stateless and thread-safe.
/// </summary>
internal static class ResponseFieldValidation
{
    private static readonly SearchValues<char> s_tokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly SearchValues<char> s_asciiValueChars = SearchValues.Create(BuildAsciiValueChars());

    // C0 controls but HTAB, and DEL: never allowed in a value, whatever its encoding.
    private static readonly SearchValues<char> s_controlChars = SearchValues.Create(BuildControlChars());

    public static void ValidateName(string name)
    {
        if (name.Length == 0 || name.AsSpan().ContainsAnyExcept(s_tokenChars))
        {
            Throw($"Invalid response header name: '{name}'.");
        }
    }

    public static void ValidateValue(string name, string? value, Func<string, Encoding?>? encodingSelector)
    {
        if (value is null)
        {
            return;
        }

        var invalid = value.AsSpan().IndexOfAnyExcept(s_asciiValueChars);
        if (invalid < 0)
        {
            return;
        }

        // Not plain ASCII: allowed only when the selector names an encoding for this field, and never a control character.
        var control = value.AsSpan().IndexOfAny(s_controlChars);
        if (control >= 0 || encodingSelector?.Invoke(name) is null)
        {
            var bad = value[control >= 0 ? control : invalid];
            Throw($"Invalid non-ASCII or control character in header: 0x{(int)bad:X4} (in the value of '{name}').");
        }
    }

    /// <summary>The encoding a non-ASCII value is written with; throws if the selector no longer names one.</summary>
    public static Encoding EncodingFor(string name, Func<string, Encoding?>? encodingSelector)
        => encodingSelector?.Invoke(name)
            ?? throw new InvalidOperationException($"The value of response header '{name}' is not ASCII and no encoding is selected for it (ResponseHeaderEncodingSelector).");

    [DoesNotReturn]
    public static void Throw(string message) => throw new InvalidOperationException(message);

    private static string BuildAsciiValueChars()
    {
        var chars = new StringBuilder("\t");
        for (var c = (char)0x20; c < 0x7F; c++)
        {
            chars.Append(c);
        }

        return chars.ToString();
    }

    private static string BuildControlChars()
    {
        var chars = new StringBuilder();
        for (var c = (char)0; c < 0x20; c++)
        {
            if (c != '\t')
            {
                chars.Append(c);
            }
        }

        return chars.Append((char)0x7F).ToString();
    }
}

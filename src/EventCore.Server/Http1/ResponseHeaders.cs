using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace EventCore.Server.Http1;

/// <summary>
/// Response headers. Names must be tokens and values printable ASCII or HTAB (like Kestrel's default); both are
/// checked when set and an invalid one throws <see cref="InvalidOperationException"/>, so nothing unchecked can
/// reach the wire. Read-only once the response head is written. Content-Length is mirrored as a number for framing.
/// </summary>
internal sealed class ResponseHeaders : HeaderDictionary
{
    private static readonly SearchValues<char> s_tokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly SearchValues<char> s_validValueChars = SearchValues.Create(BuildValidValueChars());

    // Content-Length strings for small bodies, so setting ContentLength on the hot path allocates nothing.
    private static readonly string?[] s_lengthStrings = new string?[1024];

    private long? _contentLength;
    private bool _isReadOnly;

    public override bool IsReadOnly => _isReadOnly;

    public override long? ContentLength
    {
        get => _contentLength;
        set
        {
            if (value is long length)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(length);
                ThrowIfReadOnly();
                Store(HeaderNames.ContentLength, LengthString(length));
                _contentLength = length;
            }
            else
            {
                Remove(HeaderNames.ContentLength);
            }
        }
    }

    public void Reset()
    {
        _isReadOnly = false;
        Clear();
    }

    public void MakeReadOnly() => _isReadOnly = true;

    public override void Clear()
    {
        ThrowIfReadOnly();
        base.Clear();
        _contentLength = null;
    }

    public override bool Remove(string key)
    {
        var removed = base.Remove(key);
        if (removed && string.Equals(key, HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))
        {
            _contentLength = null;
        }

        return removed;
    }

    protected override void Set(string key, StringValues value)
    {
        ValidateName(key);
        foreach (var item in value)
        {
            ValidateValue(key, item);
        }

        if (string.Equals(key, HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))
        {
            _contentLength = ParseContentLength(value);
        }

        base.Set(key, value);
    }

    private static string LengthString(long length)
        => length < s_lengthStrings.Length
            ? s_lengthStrings[length] ??= length.ToString(CultureInfo.InvariantCulture)
            : length.ToString(CultureInfo.InvariantCulture);

    private static long ParseContentLength(StringValues value)
        => value.Count == 1 && long.TryParse(value[0], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            ? length
            : ThrowInvalid<long>($"Invalid Content-Length: \"{value}\". Value must be a positive integral number.");

    private static void ValidateName(string name)
    {
        if (name.Length == 0 || name.AsSpan().ContainsAnyExcept(s_tokenChars))
        {
            ThrowInvalid<int>($"Invalid response header name: '{name}'.");
        }
    }

    private static void ValidateValue(string name, string? value)
    {
        if (value is not null && value.AsSpan().ContainsAnyExcept(s_validValueChars))
        {
            ThrowInvalid<int>($"Invalid control or non-ASCII character in the value of response header '{name}'.");
        }
    }

    [DoesNotReturn]
    private static T ThrowInvalid<T>(string message) => throw new InvalidOperationException(message);

    private static string BuildValidValueChars()
    {
        var chars = new char[0x7F - 0x20 + 1];
        chars[0] = '\t';
        for (var c = 0x20; c < 0x7F; c++)
        {
            chars[c - 0x20 + 1] = (char)c;
        }

        return new string(chars);
    }
}

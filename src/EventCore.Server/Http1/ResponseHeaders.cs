using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace EventCore.Server.Http1;

/// <summary>
/// Response headers. Names must be tokens and values printable ASCII or HTAB (like Kestrel's default), or any
/// non-control character for a field the <see cref="EncodingSelector"/> names an encoding for; both are checked when
/// set and an invalid one throws <see cref="InvalidOperationException"/>, so nothing unchecked can reach the wire
/// (<see cref="ResponseFieldValidation"/>). Read-only once the response head is written. Content-Length is mirrored
/// as a number for framing.
/// </summary>
internal sealed class ResponseHeaders : HeaderDictionary
{
    // Content-Length strings for small bodies, so setting ContentLength on the hot path allocates nothing.
    private static readonly string?[] s_lengthStrings = new string?[1024];

    private long? _contentLength;
    private bool _isReadOnly;

    public override bool IsReadOnly => _isReadOnly;

    /// <summary>The connection's <see cref="EventCoreServerOptions.ResponseHeaderEncodingSelector"/> (null: ASCII only).</summary>
    public Func<string, System.Text.Encoding?>? EncodingSelector { get; set; }

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
        ResponseFieldValidation.ValidateName(key);
        foreach (var item in value)
        {
            ResponseFieldValidation.ValidateValue(key, item, EncodingSelector);
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

    [DoesNotReturn]
    private static T ThrowInvalid<T>(string message) => throw new InvalidOperationException(message);
}

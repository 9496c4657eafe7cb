using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace EventCore.Server.Http1;

/// <summary>
/// Response fields the server itself looks for when it writes the head: one bit each, set while present. The bits
/// are the first <see cref="ResponseHeaderNames"/> slots, so they are read straight from the slot mask.
/// </summary>
[Flags]
internal enum KnownResponseHeaders : byte
{
    None = 0,
    Date = 1,
    Server = 2,
    Connection = 4,
    TransferEncoding = 8,
    ContentLength = 16,
}

/// <summary>
/// Response headers. Names must be tokens and values printable ASCII or HTAB (like Kestrel's default), or any
/// non-control character for a field the <see cref="EncodingSelector"/> names an encoding for; both are checked when
/// set and an invalid one throws <see cref="InvalidOperationException"/>, so nothing unchecked can reach the wire
/// (<see cref="ResponseFieldValidation"/>). Read-only once the response head is written. Content-Length is mirrored
/// as a number for framing, and the fields the server checks for are slots whose bits are <see cref="Known"/>, so
/// writing the head asks no dictionary.
/// </summary>
internal sealed class ResponseHeaders() : HeaderDictionary(ResponseHeaderNames.Names)
{
    // The slot of Content-Length: KnownResponseHeaders.ContentLength's bit.
    private const int ContentLengthSlot = 4;

    // Content-Length strings for small bodies, so setting ContentLength on the hot path allocates nothing.
    private static readonly string?[] s_lengthStrings = new string?[1024];

    private long? _contentLength;
    private bool _isReadOnly;

    public override bool IsReadOnly => _isReadOnly;

    /// <summary>Which of the fields the server checks for are present.</summary>
    public KnownResponseHeaders Known => (KnownResponseHeaders)(PresentSlots & ResponseHeaderNames.ServerCheckedMask);

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
                StoreAt(ContentLengthSlot, HeaderNames.ContentLength, LengthString(length));
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
        if ((Known & KnownResponseHeaders.ContentLength) == 0)
        {
            _contentLength = null;
        }

        return removed;
    }

    protected override void Set(string key, StringValues value)
    {
        ThrowIfReadOnly();
        var slot = ResponseHeaderNames.Slot(key);
        if (slot < 0)
        {
            ResponseFieldValidation.ValidateName(key); // a slot's name is a token already
        }

        foreach (var item in value)
        {
            ResponseFieldValidation.ValidateValue(key, item, EncodingSelector);
        }

        var contentLength = slot == ContentLengthSlot ? ParseContentLength(value) : _contentLength;
        StoreAt(slot, key, value);
        _contentLength = contentLength;
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

    private protected override int Slot(string key) => ResponseHeaderNames.Slot(key);
}

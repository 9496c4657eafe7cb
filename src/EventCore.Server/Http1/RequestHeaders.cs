using System.Text;
using System.Text.Unicode;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace EventCore.Server.Http1;

/// <summary>
/// Request headers (and chunked trailers), filled from the parser's spans. Known names are the shared
/// <see cref="KnownHeaders"/> strings; names and values whose bytes equal the field at the same position of the
/// previous request on this connection reuse that string, so a keep-alive client repeating Host, Accept,
/// User-Agent… costs no allocation. Values are ASCII, else decoded with the encoding
/// <see cref="EncodingSelector"/> names for the field, else UTF-8, else Latin-1 (like Kestrel's default, which rejects
/// invalid UTF-8, but lenient: a Latin-1 value is still readable).
/// </summary>
internal sealed class RequestHeaders : HeaderDictionary
{
    private (string? Name, string? Value)[] _previous = new (string?, string?)[8];
    private int _position;

    /// <summary>The connection's <see cref="EventCoreServerOptions.RequestHeaderEncodingSelector"/> (null: the default decoding).</summary>
    public Func<string, Encoding?>? EncodingSelector { get; set; }

    public override long? ContentLength
    {
        get => TryGetValue(HeaderNames.ContentLength, out var v) && v.Count == 1
            && long.TryParse(v[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length)
            ? length : null;
        set
        {
            if (value is long length)
            {
                this[HeaderNames.ContentLength] = length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                Remove(HeaderNames.ContentLength);
            }
        }
    }

    /// <summary>Starts a new request: empties the dictionary, keeps the strings of the previous request for reuse.</summary>
    public void Reset()
    {
        Clear();
        _position = 0;
    }

    /// <summary>Drops the reuse cache (the connection went idle: keep it small).</summary>
    public void ReleaseCache() => Array.Clear(_previous);

    /// <summary>Adds one parsed field and returns the name string (a shared instance for known names).</summary>
    public string Append(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (_position == _previous.Length)
        {
            Array.Resize(ref _previous, _previous.Length * 2);
        }

        ref var previous = ref _previous[_position++];
        var nameString = KnownHeaders.Find(name)
            ?? (previous.Name is { } n && Ascii.Equals(name, n) ? n : Decode(name));
        var valueString = previous.Value is { } v && ReferenceEquals(previous.Name, nameString) && Ascii.Equals(value, v)
            ? v : DecodeValue(nameString, value);
        previous = (nameString, valueString);

        StoreOrAppend(nameString, valueString);

        return nameString;
    }

    /// <summary>Replaces a value without validation (the absolute-form authority replacing Host).</summary>
    public void Replace(string name, string value) => Store(name, value);

    /// <summary>A field value: the selector's encoding applies to non-ASCII values only (ASCII decodes the same in all).</summary>
    private string DecodeValue(string name, ReadOnlySpan<byte> value)
        => EncodingSelector is { } selector && !Ascii.IsValid(value) && selector(name) is { } encoding
            ? encoding.GetString(value)
            : Decode(value);

    internal static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return string.Empty;
        }

        if (Ascii.IsValid(bytes))
        {
            return Encoding.ASCII.GetString(bytes);
        }

        return Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
    }
}

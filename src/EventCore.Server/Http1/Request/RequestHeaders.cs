using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace EventCore.Server.Http1;

/// <summary>
/// Request headers (and chunked trailers), filled from the parser's spans. One instance per exchange, reset between
/// requests; not thread-safe (request thread only, like the rest of the request).
/// </summary>
/// <remarks>
/// <para>
/// The <see cref="KnownHeader"/> names live in the base's slots: the parser stores a known field by slot number with no
/// hashing (<see cref="Append"/>), and the typed properties (<c>Host</c>, <c>ContentType</c>, …) read a slot directly.
/// </para>
/// <para>
/// Known names are the shared <see cref="KnownHeaders"/> strings; names and values whose bytes equal the field at
/// the same position of the previous request on this connection reuse that string, so a keep-alive client repeating
/// Host, Accept, User-Agent… costs no allocation. Values are ASCII, else decoded with the encoding
/// <see cref="EncodingSelector"/> names for the field, else UTF-8, else Latin-1 (like Kestrel's default, which rejects
/// invalid UTF-8, but lenient: a Latin-1 value is still readable). A repeated name gets its values appended.
/// </para>
/// </remarks>
internal sealed class RequestHeaders() : HeaderDictionary(KnownHeaders.Names), IHeaderDictionary
{
    private (string? Name, string? Value)[] _previous = new (string?, string?)[8];
    private int _position;

    /// <summary>The connection's <see cref="EventCoreServerOptions.RequestHeaderEncodingSelector"/> (null: the default decoding).</summary>
    public Func<string, Encoding?>? EncodingSelector { get; set; }

    public override long? ContentLength
    {
        get => KnownValue((int)KnownHeader.ContentLength) is { Count: 1 } v
            && long.TryParse(v[0], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            ? length : null;
        set => SetKnown(KnownHeader.ContentLength, value is long length ? length.ToString(CultureInfo.InvariantCulture) : default);
    }

    // The typed properties hosting, routing and the common middleware read: straight to the slot.
    StringValues IHeaderDictionary.Host { get => KnownValue((int)KnownHeader.Host); set => SetKnown(KnownHeader.Host, value); }

    StringValues IHeaderDictionary.Accept { get => KnownValue((int)KnownHeader.Accept); set => SetKnown(KnownHeader.Accept, value); }

    StringValues IHeaderDictionary.AcceptEncoding { get => KnownValue((int)KnownHeader.AcceptEncoding); set => SetKnown(KnownHeader.AcceptEncoding, value); }

    StringValues IHeaderDictionary.Authorization { get => KnownValue((int)KnownHeader.Authorization); set => SetKnown(KnownHeader.Authorization, value); }

    StringValues IHeaderDictionary.Baggage { get => KnownValue((int)KnownHeader.Baggage); set => SetKnown(KnownHeader.Baggage, value); }

    StringValues IHeaderDictionary.Connection { get => KnownValue((int)KnownHeader.Connection); set => SetKnown(KnownHeader.Connection, value); }

    StringValues IHeaderDictionary.ContentType { get => KnownValue((int)KnownHeader.ContentType); set => SetKnown(KnownHeader.ContentType, value); }

    StringValues IHeaderDictionary.Cookie { get => KnownValue((int)KnownHeader.Cookie); set => SetKnown(KnownHeader.Cookie, value); }

    StringValues IHeaderDictionary.Origin { get => KnownValue((int)KnownHeader.Origin); set => SetKnown(KnownHeader.Origin, value); }

    StringValues IHeaderDictionary.TraceParent { get => KnownValue((int)KnownHeader.TraceParent); set => SetKnown(KnownHeader.TraceParent, value); }

    StringValues IHeaderDictionary.TraceState { get => KnownValue((int)KnownHeader.TraceState); set => SetKnown(KnownHeader.TraceState, value); }

    StringValues IHeaderDictionary.TransferEncoding { get => KnownValue((int)KnownHeader.TransferEncoding); set => SetKnown(KnownHeader.TransferEncoding, value); }

    StringValues IHeaderDictionary.UserAgent { get => KnownValue((int)KnownHeader.UserAgent); set => SetKnown(KnownHeader.UserAgent, value); }

    /// <summary>Starts a new request: empties the dictionary, keeps the strings of the previous request for reuse.</summary>
    public void Reset()
    {
        Clear();
        _position = 0;
    }

    /// <summary>Drops the reuse cache (the connection went idle: keep it small).</summary>
    public void ReleaseCache() => Array.Clear(_previous);

    /// <summary>Adds one parsed field; returns its <see cref="KnownHeader"/> slot, or -1 for another name.</summary>
    public int Append(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (_position == _previous.Length)
        {
            Array.Resize(ref _previous, _previous.Length * 2);
        }

        ref var previous = ref _previous[_position++];
        var slot = KnownHeaders.Slot(name);
        var nameString = slot >= 0 ? KnownHeaders.Name(slot)
            : previous.Name is { } n && Ascii.Equals(name, n) ? n : Decode(name);
        string valueString;
        if (previous.Value is { } v && ReferenceEquals(previous.Name, nameString) && Ascii.Equals(value, v))
        {
            valueString = v;
        }
        else
        {
            // Written only when it changes: each reference stored into the array costs a GC write barrier.
            valueString = DecodeValue(nameString, value);
            previous = (nameString, valueString);
        }

        ref var stored = ref AppendTarget(slot, nameString);
        stored = stored.Count == 0 ? valueString : StringValues.Concat(stored, valueString);
        return slot;
    }

    /// <summary>The value string of the field <see cref="Append"/> stored last (the same instance when it repeats the previous request's).</summary>
    public string LastAppendedValue => _previous[_position - 1].Value!;

    /// <summary>Replaces a value without validation (the absolute-form authority replacing Host).</summary>
    public void Replace(KnownHeader header, string value) => SetKnown(header, value);

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

    private protected override int Slot(string key) => KnownHeaders.Slot(key);

    private void SetKnown(KnownHeader header, StringValues value) => SetSlot((int)header, value);

    /// <summary>A field value: the selector's encoding applies to non-ASCII values only (ASCII decodes the same in all).</summary>
    private string DecodeValue(string name, ReadOnlySpan<byte> value)
        => EncodingSelector is { } selector && !Ascii.IsValid(value) && selector(name) is { } encoding
            ? encoding.GetString(value)
            : Decode(value);
}

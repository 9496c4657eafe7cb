using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
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
/// The <see cref="KnownHeader"/> names live in fixed slots (a bit each in <see cref="_present"/>), other names in a
/// dictionary created the first time one arrives: the parser stores a known field with no hashing, the typed
/// properties (<c>Host</c>, <c>ContentType</c>, …) read a slot directly, and <see cref="Reset"/> touches only the slots
/// in use. Enumeration gives the known fields in <see cref="KnownHeader"/> order, then the others. Most lookups by
/// string miss (hosting asks every request for traceparent, tracestate, baggage): a bit per name length stored
/// (<see cref="_lengths"/>) answers most misses without looking at the name.
/// </para>
/// <para>
/// Known names are the shared <see cref="KnownHeaders"/> strings; names and values whose bytes equal the field at
/// the same position of the previous request on this connection reuse that string, so a keep-alive client repeating
/// Host, Accept, User-Agent… costs no allocation. Values are ASCII, else decoded with the encoding
/// <see cref="EncodingSelector"/> names for the field, else UTF-8, else Latin-1 (like Kestrel's default, which rejects
/// invalid UTF-8, but lenient: a Latin-1 value is still readable). A repeated name gets its values appended.
/// </para>
/// </remarks>
internal sealed class RequestHeaders : IHeaderDictionary
{
    private readonly StringValues[] _known = new StringValues[KnownHeaders.Count];

    // Bit (slot) set iff _known[slot] holds a value; an unset slot is always default (no stale references kept).
    private ulong _present;

    // Bit (length % 64) is set for every name stored since the last Clear (Remove leaves it: a false "maybe" is fine).
    private ulong _lengths;

    private Dictionary<string, StringValues>? _others;

    private (string? Name, string? Value)[] _previous = new (string?, string?)[8];
    private int _position;

    /// <summary>The connection's <see cref="EventCoreServerOptions.RequestHeaderEncodingSelector"/> (null: the default decoding).</summary>
    public Func<string, Encoding?>? EncodingSelector { get; set; }

    public int Count => BitOperations.PopCount(_present) + (_others?.Count ?? 0);

    public bool IsReadOnly => false;

    public ICollection<string> Keys
    {
        get
        {
            var keys = new string[Count];
            var i = 0;
            foreach (var (key, _) in this)
            {
                keys[i++] = key;
            }

            return keys;
        }
    }

    public ICollection<StringValues> Values
    {
        get
        {
            var values = new StringValues[Count];
            var i = 0;
            foreach (var (_, value) in this)
            {
                values[i++] = value;
            }

            return values;
        }
    }

    public long? ContentLength
    {
        get => _known[(int)KnownHeader.ContentLength] is { Count: 1 } v
            && long.TryParse(v[0], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            ? length : null;
        set => SetKnown(KnownHeader.ContentLength, value is long length ? length.ToString(CultureInfo.InvariantCulture) : default);
    }

    // The typed properties hosting, routing and the common middleware read: straight to the slot.
    StringValues IHeaderDictionary.Host { get => _known[(int)KnownHeader.Host]; set => SetKnown(KnownHeader.Host, value); }

    StringValues IHeaderDictionary.Accept { get => _known[(int)KnownHeader.Accept]; set => SetKnown(KnownHeader.Accept, value); }

    StringValues IHeaderDictionary.AcceptEncoding { get => _known[(int)KnownHeader.AcceptEncoding]; set => SetKnown(KnownHeader.AcceptEncoding, value); }

    StringValues IHeaderDictionary.Authorization { get => _known[(int)KnownHeader.Authorization]; set => SetKnown(KnownHeader.Authorization, value); }

    StringValues IHeaderDictionary.Baggage { get => _known[(int)KnownHeader.Baggage]; set => SetKnown(KnownHeader.Baggage, value); }

    StringValues IHeaderDictionary.Connection { get => _known[(int)KnownHeader.Connection]; set => SetKnown(KnownHeader.Connection, value); }

    StringValues IHeaderDictionary.ContentType { get => _known[(int)KnownHeader.ContentType]; set => SetKnown(KnownHeader.ContentType, value); }

    StringValues IHeaderDictionary.Cookie { get => _known[(int)KnownHeader.Cookie]; set => SetKnown(KnownHeader.Cookie, value); }

    StringValues IHeaderDictionary.Origin { get => _known[(int)KnownHeader.Origin]; set => SetKnown(KnownHeader.Origin, value); }

    StringValues IHeaderDictionary.TraceParent { get => _known[(int)KnownHeader.TraceParent]; set => SetKnown(KnownHeader.TraceParent, value); }

    StringValues IHeaderDictionary.TraceState { get => _known[(int)KnownHeader.TraceState]; set => SetKnown(KnownHeader.TraceState, value); }

    StringValues IHeaderDictionary.TransferEncoding { get => _known[(int)KnownHeader.TransferEncoding]; set => SetKnown(KnownHeader.TransferEncoding, value); }

    StringValues IHeaderDictionary.UserAgent { get => _known[(int)KnownHeader.UserAgent]; set => SetKnown(KnownHeader.UserAgent, value); }

    public StringValues this[string key]
    {
        get => TryGetValue(key, out var value) ? value : StringValues.Empty;
        set
        {
            if (StringValues.IsNullOrEmpty(value))
            {
                Remove(key);
            }
            else
            {
                Store(key, value);
            }
        }
    }

    StringValues IDictionary<string, StringValues>.this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The header '{key}' is not present.");
        set => this[key] = value;
    }

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

        _lengths |= 1UL << nameString.Length;
        ref var stored = ref slot >= 0 ? ref _known[slot] : ref CollectionsMarshal.GetValueRefOrAddDefault(_others ??= NewOthers(), nameString, out _);
        stored = stored.Count == 0 ? valueString : StringValues.Concat(stored, valueString);
        _present |= slot >= 0 ? 1UL << slot : 0;
        return slot;
    }

    /// <summary>The value string of the field <see cref="Append"/> stored last (the same instance when it repeats the previous request's).</summary>
    public string LastAppendedValue => _previous[_position - 1].Value!;

    /// <summary>Replaces a value without validation (the absolute-form authority replacing Host).</summary>
    public void Replace(KnownHeader header, string value) => SetKnown(header, value);

    public void Clear()
    {
        for (var bits = _present; bits != 0; bits &= bits - 1)
        {
            _known[BitOperations.TrailingZeroCount(bits)] = default;
        }

        _present = 0;
        _lengths = 0;
        _others?.Clear();
    }

    public void Add(string key, StringValues value)
    {
        if (ContainsKey(key))
        {
            throw new ArgumentException($"The header '{key}' is already present.", nameof(key));
        }

        Store(key, value);
    }

    public void Add(KeyValuePair<string, StringValues> item) => Add(item.Key, item.Value);

    public bool Remove(string key)
    {
        if (!MayContain(key))
        {
            return false;
        }

        var slot = KnownHeaders.Slot(key);
        if (slot < 0)
        {
            return _others?.Remove(key) ?? false;
        }

        var present = (_present & (1UL << slot)) != 0;
        _present &= ~(1UL << slot);
        _known[slot] = default;
        return present;
    }

    public bool Remove(KeyValuePair<string, StringValues> item)
        => TryGetValue(item.Key, out var value) && value.Equals(item.Value) && Remove(item.Key);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool Contains(KeyValuePair<string, StringValues> item)
        => TryGetValue(item.Key, out var value) && value.Equals(item.Value);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out StringValues value)
    {
        value = default;
        if (!MayContain(key))
        {
            return false;
        }

        var slot = KnownHeaders.Slot(key);
        if (slot >= 0)
        {
            value = _known[slot];
            return (_present & (1UL << slot)) != 0;
        }

        return _others is { } others && others.TryGetValue(key, out value);
    }

    public void CopyTo(KeyValuePair<string, StringValues>[] array, int arrayIndex)
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Count, array.Length - arrayIndex, nameof(arrayIndex));
        foreach (var item in this)
        {
            array[arrayIndex++] = item;
        }
    }

    /// <summary>The known fields in slot order, then the others.</summary>
    public HeaderSlotEnumerator GetEnumerator() => new(KnownHeaders.Names, _known, _present, _others);

    IEnumerator<KeyValuePair<string, StringValues>> IEnumerable<KeyValuePair<string, StringValues>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

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

    private static Dictionary<string, StringValues> NewOthers() => new(StringComparer.OrdinalIgnoreCase);

    private bool MayContain(string key) => (_lengths & (1UL << key.Length)) != 0;

    /// <summary>A value the application sets (non-empty): replaces any previous one.</summary>
    private void Store(string key, StringValues value)
    {
        var slot = KnownHeaders.Slot(key);
        if (slot >= 0)
        {
            SetKnown((KnownHeader)slot, value);
            return;
        }

        _lengths |= 1UL << key.Length;
        (_others ??= NewOthers())[key] = value;
    }

    /// <summary>Sets a slot; an empty value removes the field, as the indexer does.</summary>
    private void SetKnown(KnownHeader header, StringValues value)
    {
        var slot = (int)header;
        var present = !StringValues.IsNullOrEmpty(value);
        _known[slot] = present ? value : default;
        _present = present ? _present | (1UL << slot) : _present & ~(1UL << slot);
        _lengths |= present ? 1UL << KnownHeaders.Name(slot).Length : 0;
    }

    /// <summary>A field value: the selector's encoding applies to non-ASCII values only (ASCII decodes the same in all).</summary>
    private string DecodeValue(string name, ReadOnlySpan<byte> value)
        => EncodingSelector is { } selector && !Ascii.IsValid(value) && selector(name) is { } encoding
            ? encoding.GetString(value)
            : Decode(value);
}

using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace EventCore.Server.Http1;

/// <summary>
/// A reusable, case-insensitive header dictionary: the response's headers and trailers (request headers have known-name
/// slots of their own, <see cref="RequestHeaders"/>). One instance per exchange, cleared between requests:
/// <see cref="Dictionary{TKey, TValue}.Clear"/> keeps its arrays, so refilling it allocates nothing.
/// Not thread-safe (request thread only, like the rest of the request).
/// </summary>
/// <remarks>
/// Many lookups miss (middleware asking whether a field was set yet). A bit per name length present
/// (<see cref="_lengths"/>) answers most misses without hashing the name.
/// </remarks>
internal abstract class HeaderDictionary : IHeaderDictionary
{
    private readonly Dictionary<string, StringValues> _headers = new(StringComparer.OrdinalIgnoreCase);

    // Bit (length % 64) is set for every name stored since the last Clear (Remove leaves it: a false "maybe" is fine).
    private ulong _lengths;

    public int Count => _headers.Count;

    public virtual bool IsReadOnly => false;

    public ICollection<string> Keys => _headers.Keys;

    public ICollection<StringValues> Values => _headers.Values;

    public abstract long? ContentLength { get; set; }

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
                Set(key, value);
            }
        }
    }

    StringValues IDictionary<string, StringValues>.this[string key]
    {
        get => _headers[key];
        set => this[key] = value;
    }

    public virtual void Clear()
    {
        _headers.Clear();
        _lengths = 0;
    }

    public void Add(string key, StringValues value)
    {
        if (ContainsKey(key))
        {
            throw new ArgumentException($"The header '{key}' is already present.", nameof(key));
        }

        Set(key, value);
    }

    public void Add(KeyValuePair<string, StringValues> item) => Add(item.Key, item.Value);

    public virtual bool Remove(string key)
    {
        ThrowIfReadOnly();
        return MayContain(key) && _headers.Remove(key);
    }

    public bool Remove(KeyValuePair<string, StringValues> item)
        => TryGetValue(item.Key, out var value) && value.Equals(item.Value) && Remove(item.Key);

    public bool ContainsKey(string key) => MayContain(key) && _headers.ContainsKey(key);

    public bool Contains(KeyValuePair<string, StringValues> item)
        => TryGetValue(item.Key, out var value) && value.Equals(item.Value);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out StringValues value)
    {
        if (MayContain(key))
        {
            return _headers.TryGetValue(key, out value);
        }

        value = default;
        return false;
    }

    public void CopyTo(KeyValuePair<string, StringValues>[] array, int arrayIndex)
        => ((ICollection<KeyValuePair<string, StringValues>>)_headers).CopyTo(array, arrayIndex);

    public Dictionary<string, StringValues>.Enumerator GetEnumerator() => _headers.GetEnumerator();

    IEnumerator<KeyValuePair<string, StringValues>> IEnumerable<KeyValuePair<string, StringValues>>.GetEnumerator() => _headers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _headers.GetEnumerator();

    /// <summary>Stores a non-empty value; derived classes validate first.</summary>
    protected virtual void Set(string key, StringValues value)
    {
        ThrowIfReadOnly();
        Store(key, value);
    }

    /// <summary>Stores without validation (values the derived class has checked).</summary>
    private protected void Store(string key, StringValues value)
    {
        _lengths |= 1UL << key.Length;
        _headers[key] = value;
    }

    private bool MayContain(string key) => (_lengths & (1UL << key.Length)) != 0;

    protected void ThrowIfReadOnly()
    {
        if (IsReadOnly)
        {
            ThrowReadOnly();
        }
    }

    [DoesNotReturn]
    private static void ThrowReadOnly() => throw new InvalidOperationException("Headers are read-only, response has already started.");
}

using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace EventCore.Server.Http1;

/// <summary>
/// A reusable, case-insensitive header dictionary: the response's headers and trailers (request headers have slots of
/// their own, <see cref="RequestHeaders"/>). The <see cref="ResponseHeaderNames"/> live in fixed slots (a bit each),
/// other names in a dictionary made when the first arrives: setting Content-Type or Content-Length hashes nothing,
/// the head writes a slot's name as precomputed bytes, and a reset clears only the slots in use. Enumeration gives the
/// slots in order, then the others. One instance per exchange, cleared between requests (the dictionary keeps its
/// arrays, so refilling it allocates nothing). Not thread-safe (request thread only, like the rest of the request).
/// </summary>
internal abstract class HeaderDictionary : IHeaderDictionary
{
    private readonly StringValues[] _known = new StringValues[ResponseHeaderNames.Count];

    // Bit (slot) set iff _known[slot] holds a value; an unset slot is always default (no stale references kept).
    private uint _present;

    private Dictionary<string, StringValues>? _others;

    public int Count => BitOperations.PopCount(_present) + (_others?.Count ?? 0);

    public virtual bool IsReadOnly => false;

    public ICollection<string> Keys => [.. this.Select(pair => pair.Key)];

    public ICollection<StringValues> Values => [.. this.Select(pair => pair.Value)];

    public abstract long? ContentLength { get; set; }

    /// <summary>A bit per <see cref="ResponseHeaderNames"/> slot holding a value.</summary>
    internal uint PresentSlots => _present;

    /// <summary>The fields with other names (null until the first).</summary>
    internal Dictionary<string, StringValues>? Others => _others;

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
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The header '{key}' is not present.");
        set => this[key] = value;
    }

    /// <summary>The value of a slot (default when absent).</summary>
    internal StringValues KnownValue(int slot) => _known[slot];

    public virtual void Clear()
    {
        for (var bits = _present; bits != 0; bits &= bits - 1)
        {
            _known[BitOperations.TrailingZeroCount(bits)] = default;
        }

        _present = 0;
        _others?.Clear();
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
        var slot = ResponseHeaderNames.Slot(key);
        if (slot < 0)
        {
            return _others?.Remove(key) ?? false;
        }

        var present = (_present & (1u << slot)) != 0;
        _present &= ~(1u << slot);
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
        var slot = ResponseHeaderNames.Slot(key);
        if (slot >= 0)
        {
            value = _known[slot];
            return (_present & (1u << slot)) != 0;
        }

        value = default;
        return _others is { } others && others.TryGetValue(key, out value);
    }

    public void CopyTo(KeyValuePair<string, StringValues>[] array, int arrayIndex)
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Count, array.Length - arrayIndex, nameof(arrayIndex));
        foreach (var field in this)
        {
            array[arrayIndex++] = field;
        }
    }

    /// <summary>The slots in order, then the others.</summary>
    public HeaderSlotEnumerator GetEnumerator() => new(ResponseHeaderNames.Names, _known, _present, _others);

    IEnumerator<KeyValuePair<string, StringValues>> IEnumerable<KeyValuePair<string, StringValues>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Stores a non-empty value; derived classes validate first.</summary>
    protected virtual void Set(string key, StringValues value)
    {
        ThrowIfReadOnly();
        Store(key, value);
    }

    /// <summary>Stores without validation (values the derived class has checked).</summary>
    private protected void Store(string key, StringValues value) => StoreAt(ResponseHeaderNames.Slot(key), key, value);

    /// <summary><see cref="Store"/> when the name's slot (or -1) is known already.</summary>
    private protected void StoreAt(int slot, string key, StringValues value)
    {
        if (slot >= 0)
        {
            _known[slot] = value;
            _present |= 1u << slot;
        }
        else
        {
            (_others ??= new(StringComparer.OrdinalIgnoreCase))[key] = value;
        }
    }

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

using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace EventCore.Server.Http1;

/// <summary>
/// A reusable, case-insensitive header dictionary whose known names live in fixed slots (a bit each in a mask) and
/// other names in a dictionary made when the first arrives: the request's fields (<see cref="RequestHeaders"/>, the
/// <see cref="KnownHeaders"/>) and the response's headers and trailers (the <see cref="ResponseHeaderNames"/>). Storing a
/// known field hashes nothing, a reset clears only the slots in use, and enumeration gives the slots in order, then
/// the others. Many lookups miss (hosting asks every request for traceparent, tracestate, baggage; middleware whether a
/// field was set yet): a bit per name length stored answers most misses without looking at the name. One instance per
/// exchange, cleared between requests (the dictionary keeps its arrays, so refilling it allocates nothing).
/// Not thread-safe (request thread only, like the rest of the request).
/// </summary>
internal abstract class HeaderDictionary : IHeaderDictionary
{
    private readonly string[] _names;
    private readonly StringValues[] _known;

    // Bit (slot) set iff _known[slot] holds a value; an unset slot is always default (no stale references kept).
    private ulong _present;

    // Bit (length % 64) is set for every name stored since the last Clear (Remove leaves it: a false "maybe" is fine).
    private ulong _lengths;

    private Dictionary<string, StringValues>? _others;

    /// <param name="names">The slots' names (at most 64), whose order is the enumeration's.</param>
    private protected HeaderDictionary(string[] names)
    {
        _names = names;
        _known = new StringValues[names.Length];
    }

    public int Count => BitOperations.PopCount(_present) + (_others?.Count ?? 0);

    public virtual bool IsReadOnly => false;

    public ICollection<string> Keys => Project(static pair => pair.Key);

    public ICollection<StringValues> Values => Project(static pair => pair.Value);

    public abstract long? ContentLength { get; set; }

    /// <summary>A bit per slot holding a value.</summary>
    internal ulong PresentSlots => _present;

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
        _lengths = 0;
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
        if (!MayContain(key))
        {
            return false;
        }

        var slot = Slot(key);
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

        var slot = Slot(key);
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
        foreach (var field in this)
        {
            array[arrayIndex++] = field;
        }
    }

    /// <summary>The slots in order, then the others.</summary>
    public HeaderSlotEnumerator GetEnumerator() => new(_names, _known, _present, _others);

    IEnumerator<KeyValuePair<string, StringValues>> IEnumerable<KeyValuePair<string, StringValues>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Stores a non-empty value the application sets (replacing any previous one); derived classes validate first.</summary>
    protected virtual void Set(string key, StringValues value)
    {
        ThrowIfReadOnly();
        StoreAt(Slot(key), key, value);
    }

    /// <summary>The slot of a name (any case), or -1.</summary>
    private protected abstract int Slot(string key);

    /// <summary>Stores without validation (a value the caller has checked), given the name's slot or -1.</summary>
    private protected void StoreAt(int slot, string key, StringValues value)
    {
        _lengths |= 1UL << key.Length;
        if (slot >= 0)
        {
            _known[slot] = value;
            _present |= 1UL << slot;
        }
        else
        {
            (_others ??= NewOthers())[key] = value;
        }
    }

    /// <summary>Sets a slot without validation; an empty value removes the field, as the indexer does.</summary>
    private protected void SetSlot(int slot, StringValues value)
    {
        var present = !StringValues.IsNullOrEmpty(value);
        _known[slot] = present ? value : default;
        _present = present ? _present | (1UL << slot) : _present & ~(1UL << slot);
        _lengths |= present ? 1UL << _names[slot].Length : 0;
    }

    /// <summary>Where a parsed field named <paramref name="name"/> (slot or -1) goes: a value already there is appended to.</summary>
    private protected ref StringValues AppendTarget(int slot, string name)
    {
        _lengths |= 1UL << name.Length;
        if (slot < 0)
        {
            return ref CollectionsMarshal.GetValueRefOrAddDefault(_others ??= NewOthers(), name, out _);
        }

        _present |= 1UL << slot;
        return ref _known[slot];
    }

    protected void ThrowIfReadOnly()
    {
        if (IsReadOnly)
        {
            ThrowReadOnly();
        }
    }

    /// <summary>A copy of every field's <paramref name="select"/>, in enumeration order (Keys and Values: rare, so copies).</summary>
    private T[] Project<T>(Func<KeyValuePair<string, StringValues>, T> select)
    {
        var items = new T[Count];
        var i = 0;
        foreach (var field in this)
        {
            items[i++] = select(field);
        }

        return items;
    }

    private static Dictionary<string, StringValues> NewOthers() => new(StringComparer.OrdinalIgnoreCase);

    private bool MayContain(string key) => (_lengths & (1UL << key.Length)) != 0;

    [DoesNotReturn]
    private static void ThrowReadOnly() => throw new InvalidOperationException("Headers are read-only, response has already started.");
}

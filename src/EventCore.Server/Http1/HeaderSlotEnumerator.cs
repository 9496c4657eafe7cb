using System.Collections;
using System.Numerics;
using Microsoft.Extensions.Primitives;

namespace EventCore.Server.Http1;

/// <summary>
/// The fields of a header collection that keeps known names in slots (a bit each in a mask) and other names in a
/// dictionary: the known ones in slot order, then the others. A struct, so <c>foreach</c> over the collection's own
/// type allocates nothing. Valid while the collection is not changed (request thread only, as the collections are).
/// </summary>
internal struct HeaderSlotEnumerator : IEnumerator<KeyValuePair<string, StringValues>>
{
    private readonly string[] _names;
    private readonly StringValues[] _known;
    private readonly Dictionary<string, StringValues>? _othersSource;
    private ulong _remaining;
    private Dictionary<string, StringValues>.Enumerator _others;
    private bool _inOthers;

    /// <param name="names">The name of each slot.</param>
    /// <param name="known">The value of each slot.</param>
    /// <param name="present">A bit per slot holding a value.</param>
    /// <param name="others">The fields with other names, if any.</param>
    internal HeaderSlotEnumerator(string[] names, StringValues[] known, ulong present, Dictionary<string, StringValues>? others)
    {
        _names = names;
        _known = known;
        _remaining = present;
        _othersSource = others;
    }

    public KeyValuePair<string, StringValues> Current { get; private set; }

    readonly object IEnumerator.Current => Current;

    public bool MoveNext()
    {
        if (_remaining != 0)
        {
            var slot = BitOperations.TrailingZeroCount(_remaining);
            _remaining &= _remaining - 1;
            Current = new(_names[slot], _known[slot]);
            return true;
        }

        if (!_inOthers)
        {
            if (_othersSource is null)
            {
                return false;
            }

            _others = _othersSource.GetEnumerator();
            _inOthers = true;
        }

        if (_others.MoveNext())
        {
            Current = _others.Current;
            return true;
        }

        return false;
    }

    public void Reset() => throw new NotSupportedException();

    public readonly void Dispose()
    {
    }
}

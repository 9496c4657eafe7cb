using System.Collections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Transport.Epoll;

/// <summary>
/// The connection's features: the connection itself implements the transport features; anything else set
/// later (by middleware) goes into a lazily created collection, which also overrides the built-in ones. Setting a
/// built-in feature to null hides it (a TLS layer hides <see cref="IConnectionSendFileFeature"/>: sendfile would bypass it).
/// </summary>
internal sealed class EpollConnectionFeatureCollection(EpollConnection connection) : IFeatureCollection
{
    private static readonly Type[] s_builtIn =
    [
        typeof(IConnectionIdFeature), typeof(IConnectionTransportFeature), typeof(IConnectionItemsFeature),
        typeof(IConnectionLifetimeFeature), typeof(IConnectionEndPointFeature), typeof(IMemoryPoolFeature),
        typeof(IConnectionSendFileFeature),
    ];

    private FeatureCollection? _extra;
    private int _hidden; // bit i: s_builtIn[i] was set to null

    public bool IsReadOnly => false;

    public int Revision => _extra?.Revision ?? 0;

    public object? this[Type key]
    {
        get => _extra?[key] ?? (IsBuiltIn(key) ? connection : null);
        set
        {
            int index = Array.IndexOf(s_builtIn, key);
            if (index >= 0)
            {
                _hidden = value is null ? _hidden | (1 << index) : _hidden & ~(1 << index);
            }
            (_extra ??= new FeatureCollection())[key] = value;
        }
    }

    public TFeature? Get<TFeature>() => (TFeature?)this[typeof(TFeature)];

    public void Set<TFeature>(TFeature? instance) => this[typeof(TFeature)] = instance;

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
    {
        foreach (Type type in s_builtIn)
        {
            if (_extra?[type] is null && IsBuiltIn(type))
            {
                yield return new KeyValuePair<Type, object>(type, connection);
            }
        }
        foreach (KeyValuePair<Type, object> pair in _extra ?? Enumerable.Empty<KeyValuePair<Type, object>>())
        {
            yield return pair;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private bool IsBuiltIn(Type key)
    {
        int index = Array.IndexOf(s_builtIn, key);
        return index >= 0 && (_hidden & (1 << index)) == 0;
    }
}

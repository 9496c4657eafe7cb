using System.Collections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Transport.Epoll;

/// <summary>
/// The connection's features: the connection itself implements the transport features; anything else set
/// later (by middleware) goes into a lazily created collection, which also overrides the built-in ones. Setting a
/// built-in feature to null hides it (a TLS layer hides <see cref="IConnectionSendFileFeature"/>: sendfile would bypass
/// it), recorded as a marker in that collection so that a plain connection pays nothing for the possibility.
/// </summary>
internal sealed class EpollConnectionFeatureCollection(EpollConnection connection) : IFeatureCollection
{
    private static readonly Type[] s_builtIn =
    [
        typeof(IConnectionIdFeature), typeof(IConnectionTransportFeature), typeof(IConnectionItemsFeature),
        typeof(IConnectionLifetimeFeature), typeof(IConnectionEndPointFeature), typeof(IMemoryPoolFeature),
        typeof(IConnectionSendFileFeature),
    ];

    private static readonly object s_hidden = new();

    private FeatureCollection? _extra;

    public bool IsReadOnly => false;

    public int Revision => _extra?.Revision ?? 0;

    public object? this[Type key]
    {
        get
        {
            object? value = _extra?[key];
            if (value is not null)
            {
                return ReferenceEquals(value, s_hidden) ? null : value;
            }
            return Array.IndexOf(s_builtIn, key) >= 0 ? connection : null;
        }
        set => (_extra ??= new FeatureCollection())[key] = value is null && Array.IndexOf(s_builtIn, key) >= 0 ? s_hidden : value;
    }

    public TFeature? Get<TFeature>() => (TFeature?)this[typeof(TFeature)];

    public void Set<TFeature>(TFeature? instance) => this[typeof(TFeature)] = instance;

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
    {
        foreach (Type type in s_builtIn)
        {
            if (_extra?[type] is null)
            {
                yield return new KeyValuePair<Type, object>(type, connection);
            }
        }
        foreach (KeyValuePair<Type, object> pair in _extra ?? Enumerable.Empty<KeyValuePair<Type, object>>())
        {
            if (!ReferenceEquals(pair.Value, s_hidden))
            {
                yield return pair;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

using System.Collections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Transport.Epoll;

/// <summary>
/// The connection's features: the connection itself implements the transport features; anything else set
/// later (by middleware) goes into a lazily created collection, which also overrides the built-in ones.
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

    public bool IsReadOnly => false;

    public int Revision => _extra?.Revision ?? 0;

    public object? this[Type key]
    {
        get => _extra?[key] ?? (Array.IndexOf(s_builtIn, key) >= 0 ? connection : null);
        set => (_extra ??= new FeatureCollection())[key] = value;
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
            yield return pair;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

using System.Collections;
using System.Net;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Transport.Epoll;

/// <summary>
/// The connection's features, without an object of their own: the connection itself implements the transport
/// features and is their collection; anything else set later (by middleware) goes into a lazily created collection,
/// which also overrides the built-in ones. Setting a built-in feature to null hides it (a TLS layer hides
/// <see cref="IConnectionSendFileFeature"/>: sendfile would bypass it), recorded as a marker in that collection so
/// that a plain connection pays nothing for the possibility. And the peer's endpoint: an IPv4 peer is kept as one
/// packed number and its <see cref="IPEndPoint"/> made when first asked for, then kept until the connection gives its
/// pipes back while idle (one endpoint per wake after ≥ 1 s of idleness, none per request).
/// Thread rules: features are the application's (one logical thread at a time, like any feature collection);
/// <see cref="RemoteEndPoint"/> may be read from any thread (every thread makes an equal endpoint, and a reference
/// write is atomic), and is forgotten on the loop while parked without pipes.
/// </summary>
internal sealed partial class EpollConnection : IFeatureCollection
{
    private const ulong IPv4Marker = 1UL << 48;

    private static readonly Type[] s_builtIn =
    [
        typeof(IConnectionIdFeature), typeof(IConnectionTransportFeature), typeof(IConnectionItemsFeature),
        typeof(IConnectionLifetimeFeature), typeof(IConnectionEndPointFeature), typeof(IMemoryPoolFeature),
        typeof(IConnectionSendFileFeature),
    ];

    private static readonly object s_hidden = new();

    private FeatureCollection? _extraFeatures;

    /// <summary>The peer's IPv4 address and port (<see cref="PackIPv4"/>), or 0: then the endpoint is the base's only.</summary>
    private ulong _remoteIPv4;

    /// <summary>The peer: made from its packed IPv4 address when asked for (and kept while the connection is active).</summary>
    public override EndPoint? RemoteEndPoint
    {
        get => base.RemoteEndPoint ?? MakeRemoteEndPoint();
        set
        {
            _remoteIPv4 = 0; // set by the layer above: it is the endpoint for good
            base.RemoteEndPoint = value;
        }
    }

    /// <summary>An IPv4 address (as <see cref="IPAddress(long)"/> takes it) and a port, packed; never 0.</summary>
    internal static ulong PackIPv4(uint address, int port) => IPv4Marker | ((ulong)(ushort)port << 32) | address;

    private IPEndPoint? MakeRemoteEndPoint()
    {
        ulong packed = _remoteIPv4;
        if (packed == 0)
        {
            return null;
        }
        var endPoint = new IPEndPoint(new IPAddress((uint)packed), (ushort)(packed >> 32));
        base.RemoteEndPoint = endPoint;
        return endPoint;
    }

    /// <summary>Drops the peer's endpoint and the id string if they can be made again (loop, while parked without pipes).</summary>
    private void ForgetDerivedState()
    {
        if (_remoteIPv4 != 0)
        {
            base.RemoteEndPoint = null;
        }
        if (_connectionIdNumber != 0)
        {
            _connectionId = null;
        }
    }

    bool IFeatureCollection.IsReadOnly => false;

    int IFeatureCollection.Revision => _extraFeatures?.Revision ?? 0;

    object? IFeatureCollection.this[Type key]
    {
        get
        {
            object? value = _extraFeatures?[key];
            if (value is not null)
            {
                return ReferenceEquals(value, s_hidden) ? null : value;
            }
            return Array.IndexOf(s_builtIn, key) >= 0 ? this : null;
        }
        set => (_extraFeatures ??= new FeatureCollection())[key] = value is null && Array.IndexOf(s_builtIn, key) >= 0 ? s_hidden : value;
    }

    TFeature? IFeatureCollection.Get<TFeature>() where TFeature : default => (TFeature?)((IFeatureCollection)this)[typeof(TFeature)];

    void IFeatureCollection.Set<TFeature>(TFeature? instance) where TFeature : default => ((IFeatureCollection)this)[typeof(TFeature)] = instance;

    IEnumerator<KeyValuePair<Type, object>> IEnumerable<KeyValuePair<Type, object>>.GetEnumerator() => EnumerateFeatures();

    IEnumerator IEnumerable.GetEnumerator() => EnumerateFeatures();

    private IEnumerator<KeyValuePair<Type, object>> EnumerateFeatures()
    {
        foreach (Type type in s_builtIn)
        {
            if (_extraFeatures?[type] is null)
            {
                yield return new KeyValuePair<Type, object>(type, this);
            }
        }
        foreach (KeyValuePair<Type, object> pair in _extraFeatures ?? Enumerable.Empty<KeyValuePair<Type, object>>())
        {
            if (!ReferenceEquals(pair.Value, s_hidden))
            {
                yield return pair;
            }
        }
    }
}

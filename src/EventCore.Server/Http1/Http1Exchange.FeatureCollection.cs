using System.Collections;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace EventCore.Server.Http1;

/// <summary>
/// The connection is its own <see cref="IFeatureCollection"/>. Known feature types have a slot (found through a
/// per-type static index, no hashing), which starts each request as <c>this</c> for the interfaces implemented here
/// and null for those the host and middleware add; anything else goes to a dictionary that is cleared (not
/// reallocated) per request, then to the transport's connection features.
/// </summary>
internal abstract partial class Http1Exchange : IFeatureCollection
{
    private static readonly Type[] s_knownTypes =
    [
        typeof(IHttpRequestFeature), typeof(IHttpResponseFeature), typeof(IHttpResponseBodyFeature),
        typeof(IHttpRequestBodyDetectionFeature), typeof(IHttpConnectionFeature), typeof(IHttpRequestLifetimeFeature),
        typeof(IHttpRequestIdentifierFeature), typeof(IHttpMaxRequestBodySizeFeature), typeof(IHttpBodyControlFeature),
        typeof(IRequestBodyPipeFeature), typeof(IHttpRequestTrailersFeature), typeof(IHttpUpgradeFeature),
        typeof(IHttpResponseTrailersFeature),
        typeof(IHttpMinRequestBodyDataRateFeature), typeof(IHttpMinResponseDataRateFeature),

        // Slots for what hosting and common middleware add per request, so Set never allocates.
        typeof(IServiceProvidersFeature), typeof(IItemsFeature), typeof(IQueryFeature), typeof(IFormFeature),
        typeof(IRequestCookiesFeature), typeof(IResponseCookiesFeature), typeof(IHttpAuthenticationFeature),
        typeof(IAuthenticateResultFeature), typeof(IEndpointFeature), typeof(IRouteValuesFeature), typeof(IHttpActivityFeature),
        typeof(IHttpWebSocketFeature), typeof(ISessionFeature), typeof(IHttpMetricsTagsFeature),
        typeof(ITlsConnectionFeature), typeof(IHttpExtendedConnectFeature),
    ];

    private const int ImplementedCount = 15;

    private readonly object?[] _features = new object?[s_knownTypes.Length];
    private readonly Dictionary<Type, object> _extraFeatures = [];
    private int _featureRevision;
    private bool _implementedFeatureReplaced = true;

    public bool IsReadOnly => false;

    public int Revision => _featureRevision;

    public object? this[Type key]
    {
        get
        {
            var index = Array.IndexOf(s_knownTypes, key);
            return index >= 0 ? _features[index] : GetExtra(key);
        }
        set
        {
            var index = Array.IndexOf(s_knownTypes, key);
            if (index >= 0)
            {
                // Checked here so that Get<TFeature> can hand out a slot without a cast.
                if (value is not null && !key.IsInstanceOfType(value))
                {
                    throw new ArgumentException($"The feature must implement {key}.", nameof(value));
                }

                SetSlot(index, value);
            }
            else if (value is null)
            {
                _extraFeatures.Remove(key);
            }
            else
            {
                _extraFeatures[key] = value;
            }

            _featureRevision++;
        }
    }

    public TFeature? Get<TFeature>()
    {
        // A slot only ever holds an instance of its type (Set<TFeature> and the checked indexer), so no cast is needed:
        // in shared generic code a cast to TFeature is a slow helper call, on every feature lookup of every request.
        var index = FeatureIndex<TFeature>.Value;
        return index >= 0 ? Unsafe.As<object?, TFeature?>(ref _features[index]) : (TFeature?)GetExtra(typeof(TFeature));
    }

    public void Set<TFeature>(TFeature? instance)
    {
        var index = FeatureIndex<TFeature>.Value;
        if (index >= 0)
        {
            SetSlot(index, instance);
            _featureRevision++;
        }
        else
        {
            this[typeof(TFeature)] = instance;
        }
    }

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
    {
        for (var i = 0; i < _features.Length; i++)
        {
            if (_features[i] is { } feature)
            {
                yield return new(s_knownTypes[i], feature);
            }
        }

        foreach (var pair in _extraFeatures)
        {
            yield return pair;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private object? GetExtra(Type key) => _extraFeatures.TryGetValue(key, out var value) ? value : _connection.Features[key];

    private void SetSlot(int index, object? value)
    {
        _features[index] = value;
        _implementedFeatureReplaced |= index < ImplementedCount;
    }

    /// <summary>Per request: implemented features point back at this object, the others are emptied.</summary>
    private void ResetFeatureCollection()
    {
        if (_implementedFeatureReplaced)
        {
            _implementedFeatureReplaced = false;
            _features.AsSpan(0, ImplementedCount).Fill(this);
        }

        Array.Clear(_features, ImplementedCount, _features.Length - ImplementedCount);
        if (_owner?.Tls is { } tls)
        {
            _features[FeatureIndex<ITlsConnectionFeature>.Value] = tls; // a slot, so the connection's feature is put in it
        }

        if (_extraFeatures.Count > 0)
        {
            _extraFeatures.Clear();
        }

        _featureRevision++;
    }

    private static class FeatureIndex<T>
    {
        public static readonly int Value = Array.IndexOf(s_knownTypes, typeof(T));
    }
}

using System.Collections;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace EventCore.Server.Http1;

/// <summary>
/// The exchange is its own <see cref="IFeatureCollection"/>. Known feature types have a slot (found by comparing
/// type handles, no hashing), which starts each request as <c>this</c> (or its request or <see cref="Http1Response"/>) for
/// the interfaces implemented here and null for those the host and middleware add; anything else goes to a dictionary
/// that is cleared (not reallocated) per request, then to the transport's connection features.
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
        var index = SlotOf<TFeature>();
        return index >= 0 ? Unsafe.As<object?, TFeature?>(ref _features[index]) : (TFeature?)GetExtra(typeof(TFeature));
    }

    public void Set<TFeature>(TFeature? instance)
    {
        var index = SlotOf<TFeature>();
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

    /// <summary>Per request: implemented features point back at this object (or its request or response), the others are emptied.</summary>
    private void ResetFeatureCollection()
    {
        if (_implementedFeatureReplaced)
        {
            _implementedFeatureReplaced = false;
            _features.AsSpan(0, ImplementedCount).Fill(this);
            _features[SlotOf<IHttpRequestFeature>()] = _request;
            _features[SlotOf<IHttpResponseFeature>()] = _response;
            _features[SlotOf<IHttpResponseTrailersFeature>()] = _response;
        }

        Array.Clear(_features, ImplementedCount, _features.Length - ImplementedCount);
        if (_owner?.Tls is { } tls)
        {
            _features[SlotOf<ITlsConnectionFeature>()] = tls; // a slot, so the connection's feature is put in it
        }

        if (_extraFeatures.Count > 0)
        {
            _extraFeatures.Clear();
        }

        _featureRevision++;
    }

    /// <summary>
    /// The slot of a feature type, -1 if it has none: its index in <see cref="s_knownTypes"/> (a test checks that the two
    /// agree). A chain of type-handle compares, the most asked-for first (hosting, routing and the app ask for the first
    /// ones on every request), as in Kestrel: in shared generic code a per-type static (the former <c>FeatureIndex&lt;T&gt;</c>)
    /// costs a runtime helper call on every lookup.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int SlotOf<TFeature>()
    {
        if (typeof(TFeature) == typeof(IHttpRequestFeature)) { return 0; }
        if (typeof(TFeature) == typeof(IHttpResponseFeature)) { return 1; }
        if (typeof(TFeature) == typeof(IHttpResponseBodyFeature)) { return 2; }
        if (typeof(TFeature) == typeof(IEndpointFeature)) { return 23; }
        if (typeof(TFeature) == typeof(IRouteValuesFeature)) { return 24; }
        if (typeof(TFeature) == typeof(IServiceProvidersFeature)) { return 15; }
        if (typeof(TFeature) == typeof(IHttpRequestIdentifierFeature)) { return 6; }
        if (typeof(TFeature) == typeof(IHttpActivityFeature)) { return 25; }
        if (typeof(TFeature) == typeof(IHttpMaxRequestBodySizeFeature)) { return 7; }
        if (typeof(TFeature) == typeof(IHttpRequestLifetimeFeature)) { return 5; }
        if (typeof(TFeature) == typeof(IHttpConnectionFeature)) { return 4; }
        if (typeof(TFeature) == typeof(IItemsFeature)) { return 16; }
        if (typeof(TFeature) == typeof(IHttpMetricsTagsFeature)) { return 28; }
        if (typeof(TFeature) == typeof(IHttpRequestBodyDetectionFeature)) { return 3; }
        if (typeof(TFeature) == typeof(IHttpBodyControlFeature)) { return 8; }
        if (typeof(TFeature) == typeof(IRequestBodyPipeFeature)) { return 9; }
        if (typeof(TFeature) == typeof(IHttpRequestTrailersFeature)) { return 10; }
        if (typeof(TFeature) == typeof(IHttpUpgradeFeature)) { return 11; }
        if (typeof(TFeature) == typeof(IHttpResponseTrailersFeature)) { return 12; }
        if (typeof(TFeature) == typeof(IHttpMinRequestBodyDataRateFeature)) { return 13; }
        if (typeof(TFeature) == typeof(IHttpMinResponseDataRateFeature)) { return 14; }
        if (typeof(TFeature) == typeof(IQueryFeature)) { return 17; }
        if (typeof(TFeature) == typeof(IFormFeature)) { return 18; }
        if (typeof(TFeature) == typeof(IRequestCookiesFeature)) { return 19; }
        if (typeof(TFeature) == typeof(IResponseCookiesFeature)) { return 20; }
        if (typeof(TFeature) == typeof(IHttpAuthenticationFeature)) { return 21; }
        if (typeof(TFeature) == typeof(IAuthenticateResultFeature)) { return 22; }
        if (typeof(TFeature) == typeof(IHttpWebSocketFeature)) { return 26; }
        if (typeof(TFeature) == typeof(ISessionFeature)) { return 27; }
        if (typeof(TFeature) == typeof(ITlsConnectionFeature)) { return 29; }
        if (typeof(TFeature) == typeof(IHttpExtendedConnectFeature)) { return 30; }
        return -1;
    }

    /// <summary>The known feature types, in slot order (for tests).</summary>
    internal static IReadOnlyList<Type> KnownFeatureTypes => s_knownTypes;
}

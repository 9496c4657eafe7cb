using System.Globalization;

namespace EventCore.FunctionalTests.Infrastructure;

/// <summary>
/// Limits a fixture sets on the server. EventCore gets them through configuration (<c>EventCore:Limits:*</c>),
/// which also covers its options binding; Kestrel gets the equivalent <c>KestrelServerOptions.Limits</c>.
/// </summary>
public sealed record TestLimits(long MaxRequestBodySize, TimeSpan KeepAliveTimeout, TimeSpan RequestHeadersTimeout)
{
    /// <summary>The configuration keys and values EventCore binds from its <c>EventCore</c> section.</summary>
    public Dictionary<string, string?> ToEventCoreConfiguration() => new()
    {
        ["EventCore:Limits:MaxRequestBodySize"] = MaxRequestBodySize.ToString(CultureInfo.InvariantCulture),
        ["EventCore:Limits:KeepAliveTimeout"] = KeepAliveTimeout.ToString("c", CultureInfo.InvariantCulture),
        ["EventCore:Limits:RequestHeadersTimeout"] = RequestHeadersTimeout.ToString("c", CultureInfo.InvariantCulture),
    };
}

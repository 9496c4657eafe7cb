using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace EventCore.Server.Http1;

/// <summary>
/// HTTP/1.1 Upgrade (WebSockets): 101 Switching Protocols, then the connection's pipes become an opaque stream
/// owned by the app until it returns; the connection then closes (no further HTTP on it).
/// </summary>
internal abstract partial class Http1Exchange : IHttpUpgradeFeature
{
    bool IHttpUpgradeFeature.IsUpgradableRequest => _head.ConnectionUpgrade && _head.HasUpgradeHeader && _head.Version == HttpVersion.Http11
        && !((IHttpRequestBodyDetectionFeature)this).CanHaveBody;

    async Task<Stream> IHttpUpgradeFeature.UpgradeAsync()
    {
        if (!((IHttpUpgradeFeature)this).IsUpgradableRequest)
        {
            throw new InvalidOperationException("Cannot upgrade a non-upgradable request. Check IHttpUpgradeFeature.IsUpgradableRequest to determine if a request can be upgraded.");
        }

        if (_upgraded)
        {
            throw new InvalidOperationException("The request has already been upgraded.");
        }

        _response.ThrowIfStarted("Upgrade");
        if (!Owner.Slots.TryUpgrade(_service, _connection.LocalEndPoint))
        {
            throw new InvalidOperationException("Request cannot be upgraded because the server has already opened the maximum number of upgraded connections (MaxConcurrentUpgradedConnections).");
        }

        _upgraded = true;
        _keepAlive = false;
        _response.BecomeSwitchingProtocols();
        await EnsureStartedAsync();
        await FlushPendingAsync();
        return new UpgradeStream(_input, _output);
    }
}

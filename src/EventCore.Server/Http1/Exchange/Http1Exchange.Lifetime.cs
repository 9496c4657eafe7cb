using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Http1;

/// <summary>RequestAborted, as the app sees it: the connection's token unless the app set its own. Request thread only.</summary>
internal abstract partial class Http1Exchange : IHttpRequestLifetimeFeature
{
    private CancellationToken? _requestAbortedOverride;

    CancellationToken IHttpRequestLifetimeFeature.RequestAborted
    {
        get => _requestAbortedOverride ?? Owner.RequestAborted;
        set => _requestAbortedOverride = value;
    }

    void IHttpRequestLifetimeFeature.Abort() => Owner.AbortByApplication();
}

using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Http1;

/// <summary>
/// Names the request in the epoll transport's blocked-loop warning. Called on the guard's thread while this
/// connection's request is stuck in a blocking call: it only reads reference fields and a feature slot.
/// </summary>
internal abstract partial class Http1Connection : IBlockedWorkDescriber
{
    string? IBlockedWorkDescriber.DescribeBlockedWork()
    {
        var target = $"{_method} {_pathBase}{_path}";
        return Get<IEndpointFeature>()?.Endpoint?.DisplayName is { } endpoint ? $"{target} (endpoint '{endpoint}')" : target;
    }
}

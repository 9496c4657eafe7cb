using EventCore.Transport.Epoll;

namespace EventCore.Server.Http1;

/// <summary>
/// Names the request in the epoll transport's blocked-loop warning. Called on the guard's thread while this
/// connection's request is stuck in a blocking call: the exchange cannot move on meanwhile.
/// </summary>
internal abstract partial class Http1Connection : IBlockedWorkDescriber
{
    string? IBlockedWorkDescriber.DescribeBlockedWork() => _exchange?.DescribeWork();
}

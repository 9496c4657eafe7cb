namespace EventCore.Transport.Epoll;

/// <summary>Implemented by the layer above a connection (the HTTP server) to name the request a blocked callout serves.</summary>
internal interface IBlockedWorkDescriber
{
    /// <summary>E.g. "GET /orders (endpoint: HTTP: GET /orders)". Called from the guard's thread while the request is stuck.</summary>
    string? DescribeBlockedWork();
}

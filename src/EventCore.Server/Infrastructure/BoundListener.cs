using Microsoft.AspNetCore.Connections;

namespace EventCore.Server.Infrastructure;

/// <summary>A bound listener, the address it publishes (empty: none of its own) and the endpoint it serves.</summary>
internal sealed record BoundListener(IConnectionListener Listener, string Address, ListenOptions Endpoint);

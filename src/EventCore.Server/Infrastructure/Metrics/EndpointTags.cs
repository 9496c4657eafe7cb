using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EventCore.Server.Infrastructure.Metrics;

/// <summary>
/// The connection tags Kestrel puts on every connection instrument, from the local endpoint: <c>server.address</c>,
/// <c>server.port</c>, <c>network.type</c> (ipv4/ipv6) and <c>network.transport</c> (tcp/unix). Built only while
/// someone listens (once per connection event, never per request).
/// </summary>
internal static class EndpointTags
{
    public static void Add(ref TagList tags, EndPoint? local)
    {
        switch (local)
        {
            case IPEndPoint ip:
                tags.Add("server.address", ip.Address.ToString());
                tags.Add("server.port", ip.Port);
                tags.Add("network.type", ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4");
                tags.Add("network.transport", "tcp");
                break;
            case UnixDomainSocketEndPoint unix:
                tags.Add("server.address", unix.ToString());
                tags.Add("network.transport", "unix");
                break;
            case not null:
                tags.Add("server.address", local.ToString());
                tags.Add("network.transport", local.AddressFamily.ToString());
                break;
        }
    }
}

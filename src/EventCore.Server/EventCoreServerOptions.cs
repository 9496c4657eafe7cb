using System.Net;
using Microsoft.AspNetCore.Connections;

namespace EventCore.Server;

/// <summary>Options of <see cref="EventCoreServer"/>. Bound from the configuration section <c>EventCore</c>.</summary>
public sealed class EventCoreServerOptions
{
    /// <summary>Request limits and timeouts.</summary>
    public EventCoreServerLimits Limits { get; } = new();

    /// <summary>
    /// URLs to listen on (e.g. <c>http://127.0.0.1:5000</c>, <c>http://*:8080</c>, <c>http://[::1]:0</c>). When empty,
    /// the hosting addresses (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>UseUrls</c>) are used, else http://localhost:5000.
    /// When both are set, these win unless the host sets <c>PreferHostingUrls</c>.
    /// </summary>
    public IList<string> Urls { get; } = [];

    /// <summary>Whether synchronous reads and writes of the request and response bodies are allowed. Default false.</summary>
    public bool AllowSynchronousIO { get; set; }

    /// <summary>Whether to send <c>Server: EventCore</c>. Default true.</summary>
    public bool AddServerHeader { get; set; } = true;

    /// <summary>How long <c>StopAsync</c> waits for requests in flight before aborting them. Default 30 s (the host's own token may be shorter).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The transport. Null (the default) uses the epoll transport (<c>EventCore.Transport.Epoll</c>); any
    /// <see cref="IConnectionListenerFactory"/> works, e.g. Kestrel's Sockets transport or an in-memory one in tests.
    /// </summary>
    public Func<IServiceProvider, IConnectionListenerFactory>? TransportFactory { get; set; }

    internal static EndPoint DefaultEndPoint => new IPEndPoint(IPAddress.Loopback, 5000);
}

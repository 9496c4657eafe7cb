using System.Net;
using System.Text;
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

    /// <summary>
    /// How long the server goes on accepting and serving after shutdown begins (SIGTERM → <c>StopAsync</c>) before the
    /// graceful stop starts: time for a load balancer or Kubernetes to stop sending new connections here. Default 0.
    /// During the delay responses carry <c>Connection: close</c>, so keep-alive clients move to a new connection. The
    /// delay counts against the host's <c>HostOptions.ShutdownTimeout</c>, which bounds the whole stop (delay and
    /// drain); it ends early if the host's shutdown token fires.
    /// </summary>
    public TimeSpan ShutdownDelay { get; set; }

    /// <summary>
    /// Code only. Returns the encoding for the value of the named response header or trailer, or null for the default:
    /// ASCII only, any other character throws <see cref="InvalidOperationException"/> when the header is set (as
    /// Kestrel's <c>ResponseHeaderEncodingSelector</c>). Control characters are refused whatever the encoding.
    /// </summary>
    public Func<string, Encoding?>? ResponseHeaderEncodingSelector { get; set; }

    /// <summary>
    /// Code only. Returns the encoding to decode the value of the named request header or trailer with, or null for the
    /// default (ASCII, else UTF-8, else Latin-1), as Kestrel's <c>RequestHeaderEncodingSelector</c>.
    /// </summary>
    public Func<string, Encoding?>? RequestHeaderEncodingSelector { get; set; }

    /// <summary>
    /// The transport. Null (the default) uses the epoll transport (<c>EventCore.Transport.Epoll</c>); any
    /// <see cref="IConnectionListenerFactory"/> works, e.g. Kestrel's Sockets transport or an in-memory one in tests.
    /// </summary>
    public Func<IServiceProvider, IConnectionListenerFactory>? TransportFactory { get; set; }

    internal static EndPoint DefaultEndPoint => new IPEndPoint(IPAddress.Loopback, 5000);
}

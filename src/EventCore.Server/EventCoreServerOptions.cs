using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;

namespace EventCore.Server;

/// <summary>Options of <see cref="EventCoreServer"/>. Bound from the configuration section <c>EventCore</c>.</summary>
public sealed class EventCoreServerOptions
{
    /// <summary>Request limits and timeouts.</summary>
    public EventCoreServerLimits Limits { get; } = new();

    /// <summary>
    /// URLs to listen on (e.g. <c>http://127.0.0.1:5000</c>, <c>https://*:8443</c>, <c>http://unix:/run/app.sock</c>),
    /// besides the endpoints of <c>Listen…</c> and <c>EventCore:Endpoints</c>. When none of these is set, the hosting
    /// addresses (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>UseUrls</c>) are used, else http://localhost:5000. When both
    /// are set, these win unless the host sets <c>PreferHostingUrls</c>.
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

    /// <summary>Endpoints added in code (<see cref="Listen(EndPoint, Action{ListenOptions})"/> and siblings), in order.</summary>
    internal List<ListenOptions> CodeListenOptions { get; } = [];

    /// <summary>What <see cref="ConfigureHttpsDefaults"/> registered, applied to every HTTPS endpoint before its own settings.</summary>
    internal List<Action<HttpsConnectionAdapterOptions>> HttpsDefaults { get; } = [];

    /// <summary>The <c>EventCore</c> configuration section (its <c>Endpoints</c>, <c>EndpointDefaults</c> and <c>Certificates</c>), set by <c>UseEventCore()</c>.</summary>
    internal IConfiguration? ConfigurationSection { get; set; }

    /// <summary>Listens on <paramref name="address"/>:<paramref name="port"/> (port 0: a free port), as Kestrel's <c>Listen</c>.</summary>
    public void Listen(IPAddress address, int port) => Listen(address, port, static _ => { });

    /// <summary>Listens on <paramref name="address"/>:<paramref name="port"/>; <paramref name="configure"/> may call <see cref="ListenOptions.UseHttps()"/>.</summary>
    public void Listen(IPAddress address, int port, Action<ListenOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(address);
        Listen(new IPEndPoint(address, port), configure);
    }

    /// <summary>Listens on <paramref name="endPoint"/> (an IP endpoint or a <see cref="UnixDomainSocketEndPoint"/>).</summary>
    public void Listen(EndPoint endPoint) => Listen(endPoint, static _ => { });

    /// <summary>Listens on <paramref name="endPoint"/>; <paramref name="configure"/> may call <see cref="ListenOptions.UseHttps()"/>.</summary>
    public void Listen(EndPoint endPoint, Action<ListenOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (endPoint is not (IPEndPoint or UnixDomainSocketEndPoint))
        {
            throw new NotSupportedException($"EventCore listens on IP endpoints and Unix sockets, not {endPoint.GetType().Name}.");
        }

        Add(new ListenOptions(endPoint), configure);
    }

    /// <summary>Listens on 127.0.0.1 and [::1] (when the host has IPv6) at <paramref name="port"/>, as Kestrel's <c>ListenLocalhost</c>.</summary>
    public void ListenLocalhost(int port) => ListenLocalhost(port, static _ => { });

    /// <summary>Listens on localhost at <paramref name="port"/>; <paramref name="configure"/> may call <see cref="ListenOptions.UseHttps()"/>.</summary>
    public void ListenLocalhost(int port, Action<ListenOptions> configure)
        => Add(new ListenOptions(new IPEndPoint(IPAddress.Loopback, port), ListenKind.Localhost), configure);

    /// <summary>Listens on every address ([::] dual-stack, or 0.0.0.0) at <paramref name="port"/>, as Kestrel's <c>ListenAnyIP</c>.</summary>
    public void ListenAnyIP(int port) => ListenAnyIP(port, static _ => { });

    /// <summary>Listens on every address at <paramref name="port"/>; <paramref name="configure"/> may call <see cref="ListenOptions.UseHttps()"/>.</summary>
    public void ListenAnyIP(int port, Action<ListenOptions> configure)
        => Add(new ListenOptions(new IPEndPoint(IPAddress.IPv6Any, port), ListenKind.AnyIP), configure);

    /// <summary>
    /// Listens on a Unix domain socket at <paramref name="socketPath"/> (absolute; at most 107 bytes), as Kestrel's
    /// <c>ListenUnixSocket</c>. A stale socket file there (nobody accepts on it) is removed at start, the file is removed
    /// at shutdown; its permissions follow the process's umask (see docs/configuration.md).
    /// </summary>
    public void ListenUnixSocket(string socketPath) => ListenUnixSocket(socketPath, static _ => { });

    /// <summary>Listens on a Unix domain socket; <paramref name="configure"/> may call <see cref="ListenOptions.UseHttps()"/>.</summary>
    public void ListenUnixSocket(string socketPath, Action<ListenOptions> configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        if (socketPath[0] != '/' && socketPath[0] != '@')
        {
            throw new ArgumentException("Unix socket path must be absolute.", nameof(socketPath));
        }

        Listen(new UnixDomainSocketEndPoint(socketPath), configure);
    }

    /// <summary>Settings applied to every HTTPS endpoint before its own (as Kestrel's <c>ConfigureHttpsDefaults</c>).</summary>
    public void ConfigureHttpsDefaults(Action<HttpsConnectionAdapterOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(configureOptions);
        HttpsDefaults.Add(configureOptions);
    }

    private void Add(ListenOptions listen, Action<ListenOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(listen);
        CodeListenOptions.Add(listen);
    }
}

using System.Security.Cryptography;
using System.Text;
using EventCore.FunctionalTests.Infrastructure;
using EventCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventCore.FunctionalTests.Listening;

/// <summary>
/// A small app on EventCore (epoll transport, the default) or Kestrel, listening where the test says (code options,
/// configuration, URLs). Its endpoints: <c>/</c> (text), <c>/connection</c> (what HttpContext.Connection and the TLS
/// features report, one <c>key=value</c> per line), <c>/file</c> (a 1 MiB file sent with SendFileAsync), <c>/n/{n}</c>
/// (echoes n, for pipelining) and <c>POST /echo</c>. Logs at debug go to <see cref="Logs"/>.
/// </summary>
public sealed class ListenHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _filePath;

    private ListenHost(WebApplication app, string filePath, CapturedLogs logs)
    {
        _app = app;
        _filePath = filePath;
        Logs = logs;
    }

    /// <summary>The bytes of <c>/file</c>.</summary>
    public static byte[] FileContent { get; } = CreateFileContent();

    public CapturedLogs Logs { get; }

    public IReadOnlyList<string> Addresses => [.. _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses];

    /// <summary>The port of the first published address.</summary>
    public int Port => new Uri(Addresses[0]).Port;

    public static async Task<ListenHost> StartAsync(
        Action<EventCoreServerOptions>? configure = null,
        IDictionary<string, string?>? configuration = null,
        string[]? urls = null,
        bool kestrel = false,
        string? environment = null,
        bool forwardedHeaders = false)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = environment ?? "Production" });
        if (configuration is not null)
        {
            builder.Configuration.AddInMemoryCollection(configuration);
        }

        var logs = new CapturedLogs();
        // A provider rule, so that the Logging section of an appsettings.json next to the tests cannot raise the level.
        builder.Logging.ClearProviders().AddProvider(logs).AddFilter<CapturedLogs>(category: null, LogLevel.Debug);
        if (kestrel)
        {
            builder.WebHost.UseKestrel();
        }
        else
        {
            builder.WebHost.UseEventCore(o => configure?.Invoke(o));
        }

        if (urls is not null)
        {
            builder.WebHost.UseUrls(urls);
        }

        var filePath = Path.Combine(Path.GetTempPath(), $"eventcore-listen-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(filePath, FileContent);
        var host = new ListenHost(builder.Build(), filePath, logs);
        if (forwardedHeaders)
        {
            // The documented set-up, default KnownProxies: a Unix-socket connection has no IP to check against them.
            host._app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto });
        }

        host._app.UseWebSockets();
        host.Map();
        try
        {
            await host._app.StartAsync(TestContext.Current.CancellationToken);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public Task StopAsync() => _app.StopAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        File.Delete(_filePath);
    }

    private static byte[] CreateFileContent()
    {
        var bytes = new byte[1024 * 1024];
        new Random(42).NextBytes(bytes);
        return bytes;
    }

    private void Map()
    {
        _app.MapGet("/", () => "Hello over " + "EventCore");
        _app.MapGet("/connection", Describe);
        _app.MapGet("/file", async (HttpContext context) =>
        {
            context.Response.ContentLength = FileContent.Length;
            await context.Response.SendFileAsync(_filePath, context.RequestAborted);
        });
        _app.Map("/ws", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
            await socket.SendAsync(buffer.AsMemory(0, received.Count), System.Net.WebSockets.WebSocketMessageType.Text, endOfMessage: true, context.RequestAborted);
            await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", context.RequestAborted);
        });
        _app.MapGet("/cookie", (HttpContext context) =>
        {
            context.Response.Cookies.Append("visit", "first", new CookieOptions { HttpOnly = true, Path = "/" });
            return "visit=" + (context.Request.Cookies["visit"] ?? "none");
        });
        _app.MapGet("/n/{n:int}", (HttpContext context, int n) =>
        {
            var text = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.ContentLength = text.Length; // Content-Length framing, so a transcript splits simply
            return context.Response.WriteAsync(text, context.RequestAborted);
        });
        _app.MapPost("/echo", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            return Results.Bytes(body.ToArray(), "application/octet-stream");
        });
    }

    private static string Describe(HttpContext context)
    {
        var connection = context.Connection;
        var tls = context.Features.Get<ITlsHandshakeFeature>();
        var alpn = context.Features.Get<ITlsApplicationProtocolFeature>();
        var text = new StringBuilder()
            .Append("scheme=").AppendLine(context.Request.Scheme)
            .Append("host=").AppendLine(context.Request.Host.Value)
            .Append("is-https=").AppendLine(context.Request.IsHttps ? "true" : "false")
            .Append("remote-ip=").AppendLine(connection.RemoteIpAddress?.ToString() ?? "null")
            .Append("remote-port=").AppendLine(connection.RemotePort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Append("local-ip=").AppendLine(connection.LocalIpAddress?.ToString() ?? "null")
            .Append("local-port=").AppendLine(connection.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Append("tls-protocol=").AppendLine(tls?.Protocol.ToString() ?? "none")
            .Append("tls-host=").AppendLine(tls?.HostName ?? "none")
            .Append("alpn=").AppendLine(alpn is null ? "none" : Encoding.ASCII.GetString(alpn.ApplicationProtocol.Span))
            .Append("client-certificate=").AppendLine(connection.ClientCertificate?.Subject ?? "none")
            .Append("sendfile=").AppendLine(context.Features.Get<EventCore.Transport.Epoll.IConnectionSendFileFeature>() is null ? "no" : "yes");
        return text.ToString();
    }

    /// <summary>Parses the <c>/connection</c> answer.</summary>
    public static Dictionary<string, string> ParseDescription(string text)
        => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts[1]);

    /// <summary>SHA-256 of <see cref="FileContent"/>, to compare what came back.</summary>
    public static string FileHash => Convert.ToHexString(SHA256.HashData(FileContent));
}

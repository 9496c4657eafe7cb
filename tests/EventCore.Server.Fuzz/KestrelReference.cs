using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventCore.Server.Fuzz;

/// <summary>
/// Kestrel's HTTP/1.1 layer as the differential reference: a Kestrel server on 127.0.0.1:0 whose app answers
/// every request with what Kestrel understood of it — method, raw target, header fields, and the body it
/// decoded — and closes the connection. <see cref="Send"/> writes an input on a fresh connection and reads the
/// answer. Started once per process, on first use.
/// </summary>
internal sealed class KestrelReference
{
    private static readonly Lazy<KestrelReference> s_instance = new(Start);

    /// <summary>FUZZ_DEBUG=1 prints Kestrel's raw answers (when a finding needs explaining).</summary>
    private static readonly bool s_debug = Environment.GetEnvironmentVariable("FUZZ_DEBUG") == "1";
    private readonly IPEndPoint _endPoint;

    private KestrelReference(IPEndPoint endPoint) => _endPoint = endPoint;

    public static KestrelReference Instance => s_instance.Value;

    /// <summary>What Kestrel made of the input: its transcript when it accepted the first request, else null.</summary>
    public string? Send(byte[] input)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 2_000, SendTimeout = 10_000 };
        socket.Connect(_endPoint);
        try
        {
            // No half-close: Kestrel treats the FIN as the client going away and may drop the answer. The app
            // answers with Connection: close, so Kestrel ends the connection after the first request; a request it
            // still waits on (it frames the body longer than EventCore) times out the read below: refused.
            socket.Send(input);
        }
        catch (SocketException)
        {
            // Kestrel closed early (a rejection while we were still sending): read what it said.
        }

        var response = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = socket.Receive(buffer)) > 0)
            {
                response.Write(buffer, 0, read);
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.TimedOut or SocketError.WouldBlock)
        {
            // A reset after the answer still leaves the answer; a timeout leaves what came before it.
        }

        if (s_debug)
        {
            Console.Error.WriteLine($"Kestrel answered:\n{Encoding.Latin1.GetString(response.ToArray())}");
        }

        return ParseAnswer(Encoding.Latin1.GetString(response.ToArray()));
    }

    /// <summary>The transcript from a 200 answer (after any 100 Continue), or null.</summary>
    private static string? ParseAnswer(string response)
    {
        while (response.StartsWith("HTTP/1.1 100 ", StringComparison.Ordinal))
        {
            response = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        }

        if (!response.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal))
        {
            return null;
        }

        var match = Regex.Match(response, "\r\nX-Transcript: ([^\r]*)\r\n", RegexOptions.IgnoreCase);
        return match.Success ? Encoding.Latin1.GetString(Convert.FromBase64String(match.Groups[1].Value)) : null;
    }

    private static KestrelReference Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.AddServerHeader = false;
            o.Limits.MinRequestBodyDataRate = null;
        });
        var app = builder.Build();
        app.Run(Describe);
        app.StartAsync().GetAwaiter().GetResult();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KestrelReference(new IPEndPoint(IPAddress.Loopback, new Uri(address).Port));
    }

    /// <summary>The app: the request as Kestrel understood it, in <see cref="Transcript.Format"/>.</summary>
    private static async Task Describe(HttpContext context)
    {
        var request = context.Features.Get<IHttpRequestFeature>()!;
        var body = new MemoryStream();
        try
        {
            await context.Request.Body.CopyToAsync(body);
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException or InvalidOperationException)
        {
            context.Response.StatusCode = 400;
            return;
        }

        var headers = request.Headers.SelectMany(h => h.Value.Select(v => (h.Key, v ?? ""))).ToList();
        var transcript = Transcript.Format(request.Method, request.RawTarget, headers, body.ToArray());
        // In a header as well as the body: a HEAD response has no body.
        var bytes = Encoding.Latin1.GetBytes(transcript);
        context.Response.Headers.Connection = "close";
        context.Response.Headers["X-Transcript"] = Convert.ToBase64String(bytes);
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes);
    }
}

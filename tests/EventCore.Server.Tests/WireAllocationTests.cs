using System.Text.Json;
using EventCore.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace EventCore.Server.Tests;

/// <summary>
/// Zero allocation per request, end to end: a real ASP.NET Core host on EventCore with its defaults (the epoll
/// transport, the app inline on the loops under the blocked-loop guard), real sockets, and the process-wide allocation
/// count — every thread: loops, guard, timers, hosting. The endpoints allocate nothing themselves, so whatever is
/// counted is the server's (or the hosting layer's). The clients are blocking sockets on their own threads, which
/// allocate nothing per request either. Runs alone (its collection disables parallelization).
/// </summary>
[Collection(nameof(AllocationTests))]
public sealed class WireAllocationTests
{
    private const int Connections = 2;
    private const int WarmUpRequests = 5_000;
    private const int MeasuredRequests = 20_000;

    /// <summary>Allowed per request: background work of the process (timers, the guard's samples) spread over the run.</summary>
    private const double BytesPerRequestBound = 1.0;

    private static readonly byte[] s_plaintext = "Hello, World!"u8.ToArray();
    private static readonly StringValues s_textPlain = "text/plain";
    private static readonly StringValues s_json = "application/json";
    private static readonly JsonEncodedText s_message = JsonEncodedText.Encode("message");
    private static readonly string s_staticFile = CreateStaticFile();

    [ThreadStatic]
    private static Utf8JsonWriter? s_jsonWriter;

    public static TheoryData<string, int> Workloads => new()
    {
        { "/plaintext", 1 },
        { "/json", 1 },
        { "/plaintext", 16 },
        { "/static-600", 1 },
    };

    [Theory]
    [MemberData(nameof(Workloads))]
    public async Task Steady_state_requests_allocate_nothing_on_any_thread(string path, int pipelineDepth)
    {
#if DEBUG
        Assert.Skip("Run in Release (test.sh does): Debug builds compile async state machines as classes, one allocation per call.");
#endif
        await using WebApplication app = await StartAsync();
        int port = new Uri(app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        var clients = Enumerable.Range(0, Connections)
            .Select(_ => RoundTripClient.Connect(port, $"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n", pipelineDepth)).ToList();
        try
        {
            WireAllocationProbe.AssertBytesPerRequestBelow(clients, WarmUpRequests, MeasuredRequests, BytesPerRequestBound, $"{path} ×{pipelineDepth}");
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    private static async Task<WebApplication> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseEventCore().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(ServeAsync);
        await app.StartAsync();
        return app;
    }

    /// <summary>The endpoints, allocation-free: cached header values, static bytes, a per-thread JSON writer, a cached path.</summary>
    private static Task ServeAsync(HttpContext context)
    {
        var response = context.Response;
        switch (context.Request.Path.Value)
        {
            case "/plaintext":
                response.ContentLength = s_plaintext.Length;
                response.Headers.ContentType = s_textPlain;
                return response.BodyWriter.WriteAsync(s_plaintext).AsTask();
            case "/json":
                response.Headers.ContentType = s_json;
                var writer = s_jsonWriter ??= new Utf8JsonWriter(response.BodyWriter);
                writer.Reset(response.BodyWriter);
                writer.WriteStartObject();
                writer.WriteString(s_message, "Hello, World!");
                writer.WriteEndObject();
                writer.Flush();
                return Task.CompletedTask;
            case "/static-600":
                response.ContentLength = 600;
                response.Headers.ContentType = s_textPlain;
                return response.SendFileAsync(s_staticFile, 0, 600);
            default:
                response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
        }
    }

    private static string CreateStaticFile()
    {
        // In the test's own output folder, rewritten each run: nothing left behind in /tmp.
        var path = Path.Combine(AppContext.BaseDirectory, "wire-allocation-600.txt");
        File.WriteAllBytes(path, Enumerable.Range(0, 600).Select(i => (byte)('a' + i % 26)).ToArray());
        return path;
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
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
        byte[] batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat($"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n", pipelineDepth)));

        var clients = new List<Client>();
        for (var i = 0; i < Connections; i++)
        {
            clients.Add(Client.Connect(port, batch, pipelineDepth));
        }

        try
        {
            Run(clients, WarmUpRequests / pipelineDepth / Connections);
            // Steady state allocates nothing; a run on a loaded machine can still catch a late tier-up or other
            // background work of the process, so the best of three runs is judged (a per-request cost is in all three).
            var allocated = long.MaxValue;
            for (var run = 0; run < 3 && allocated / (double)MeasuredRequests >= BytesPerRequestBound; run++)
            {
                var before = GC.GetTotalAllocatedBytes(precise: true);
                Run(clients, MeasuredRequests / pipelineDepth / Connections);
                allocated = Math.Min(allocated, GC.GetTotalAllocatedBytes(precise: true) - before);
            }

            var perRequest = allocated / (double)MeasuredRequests;
            TestContext.Current.TestOutputHelper?.WriteLine($"{path} ×{pipelineDepth}: {allocated} bytes in {MeasuredRequests} requests ({perRequest:F3} per request)");
            if (perRequest >= BytesPerRequestBound)
            {
                // Name the types: the listener allocates itself, so it only runs for the message.
                using var ticks = new AllocationTests.AllocationTickListener();
                Run(clients, MeasuredRequests / pipelineDepth / Connections);
                Assert.Fail($"{allocated} bytes allocated in {MeasuredRequests} requests of {path} (×{pipelineDepth}) in the best of three runs; sampled types: {ticks.Summary()}");
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Each client on its own thread, blocking calls: request batch out, the known response length back.</summary>
    private static void Run(List<Client> clients, int roundsPerClient)
    {
        var threads = clients.Select(c => new Thread(() => c.RoundTrips(roundsPerClient)) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a client did not finish its requests"));
        foreach (var client in clients)
        {
            Assert.Null(client.Failure);
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

    private sealed class Client : IDisposable
    {
        private readonly Socket _socket;
        private readonly byte[] _batch;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _responseBatchLength;

        private Client(Socket socket, byte[] batch)
        {
            _socket = socket;
            _batch = batch;
        }

        public Exception? Failure { get; private set; }

        public static Client Connect(int port, byte[] batch, int pipelineDepth)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 30_000 };
            socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            var client = new Client(socket, batch);
            client.LearnResponseLength(pipelineDepth);
            return client;
        }

        /// <summary>Every response of a workload has the same length (the Date header's too): learn it from one batch.</summary>
        private void LearnResponseLength(int pipelineDepth)
        {
            _socket.Send(_batch);
            var text = new StringBuilder();
            while (CompleteResponses(text.ToString()) < pipelineDepth)
            {
                var read = _socket.Receive(_buffer);
                Assert.True(read > 0, "the server closed the connection");
                text.Append(Encoding.ASCII.GetString(_buffer, 0, read));
            }

            Assert.Equal(pipelineDepth, Regex.Count(text.ToString(), "HTTP/1\\.1 200 OK"));
            _responseBatchLength = text.Length;
        }

        /// <summary>How many whole responses (Content-Length or chunked bodies) the text holds.</summary>
        private static int CompleteResponses(string text)
        {
            var count = 0;
            for (var position = 0; ; count++)
            {
                var headEnd = text.IndexOf("\r\n\r\n", position, StringComparison.Ordinal);
                if (headEnd < 0)
                {
                    return count;
                }

                var length = Regex.Match(text[position..headEnd], "^Content-Length: *([0-9]+)", RegexOptions.Multiline | RegexOptions.IgnoreCase);
                if (length.Success)
                {
                    position = headEnd + 4 + int.Parse(length.Groups[1].Value);
                    if (position > text.Length)
                    {
                        return count;
                    }
                }
                else
                {
                    var lastChunk = text.IndexOf("\r\n0\r\n\r\n", headEnd, StringComparison.Ordinal);
                    if (lastChunk < 0)
                    {
                        return count;
                    }

                    position = lastChunk + 7;
                }
            }
        }

        public void RoundTrips(int rounds)
        {
            try
            {
                for (var i = 0; i < rounds; i++)
                {
                    _socket.Send(_batch);
                    for (var received = 0; received < _responseBatchLength;)
                    {
                        var read = _socket.Receive(_buffer, 0, Math.Min(_buffer.Length, _responseBatchLength - received), SocketFlags.None);
                        if (read == 0)
                        {
                            throw new IOException("the server closed the connection");
                        }

                        received += read;
                    }
                }
            }
            catch (Exception ex)
            {
                Failure = ex;
            }
        }

        public void Dispose() => _socket.Dispose();
    }
}

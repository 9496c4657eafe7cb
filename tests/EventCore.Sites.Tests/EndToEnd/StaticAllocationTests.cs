using System.Net;
using System.Net.Sockets;
using System.Text;
using EventCore.Sites.Tests.Support;
using Microsoft.Extensions.Logging;

namespace EventCore.Sites.Tests.EndToEnd;

/// <summary>
/// A plain static file from the sites allocates (next to) nothing per request, end to end: the Webserv host on
/// EventCore with a console logger at its defaults (the host's own setup: Microsoft.AspNetCore at Warning), real sockets,
/// the process-wide allocation count. The clients are blocking sockets on their own threads that allocate nothing per
/// request. Runs alone (its collection disables parallelization).
/// </summary>
[Collection(nameof(StaticAllocationTests))]
public sealed class StaticAllocationTests
{
    private const int Connections = 2;
    private const int WarmUpRequests = 5_000;
    private const int MeasuredRequests = 20_000;

    /// <summary>Allowed per request: background work of the process (timers, the guard's samples) spread over the run.</summary>
    private const double BytesPerRequestBound = 1.0;

    [Fact]
    public async Task Plain_get_of_a_static_file_allocates_nothing()
    {
        const string path = "/static-600.txt";
#if DEBUG
        Assert.Skip("Run in Release (test.sh does): Debug builds compile async state machines as classes, one allocation per call.");
#endif
        using var site = new TempFolder();
        site.Write("www/static-600.txt", new string('x', 600));
        await using var server = await WebservServer.StartAsync(
            site,
            "server {\n listen 127.0.0.1:{PORT0};\n server_name default.test;\n root {SITE}/www;\n}\n",
            builder => builder.Logging.AddConsole());
        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: default.test\r\n\r\n");
        var clients = Enumerable.Range(0, Connections).Select(_ => Client.Connect(server.Ports[0], request)).ToList();
        try
        {
            Run(clients, WarmUpRequests / Connections);
            var allocated = long.MaxValue;
            for (var run = 0; run < 3 && allocated / (double)MeasuredRequests >= BytesPerRequestBound; run++)
            {
                var before = GC.GetTotalAllocatedBytes(precise: true);
                Run(clients, MeasuredRequests / Connections);
                allocated = Math.Min(allocated, GC.GetTotalAllocatedBytes(precise: true) - before);
            }

            var perRequest = allocated / (double)MeasuredRequests;
            TestContext.Current.TestOutputHelper?.WriteLine($"{path}: {allocated} bytes in {MeasuredRequests} requests ({perRequest:F3} per request)");
            if (perRequest >= BytesPerRequestBound)
            {
                using var ticks = new AllocationTickListener();
                Run(clients, MeasuredRequests / Connections);
                Assert.Fail($"{allocated} bytes allocated in {MeasuredRequests} requests of {path} in the best of three runs; sampled types: {ticks.Summary()}");
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    private static void Run(List<Client> clients, int rounds)
    {
        var threads = clients.Select(c => new Thread(() => c.RoundTrips(rounds)) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a client did not finish its requests"));
        foreach (var client in clients)
        {
            Assert.Null(client.Failure);
        }
    }

    /// <summary>One keep-alive connection: the request out, the response's known length back (learnt from the first).</summary>
    private sealed class Client : IDisposable
    {
        private readonly Socket _socket;
        private readonly byte[] _request;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _responseLength;

        private Client(Socket socket, byte[] request)
        {
            _socket = socket;
            _request = request;
        }

        public Exception? Failure { get; private set; }

        public static Client Connect(int port, byte[] request)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 30_000 };
            socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            var client = new Client(socket, request);
            client.LearnResponseLength();
            return client;
        }

        private void LearnResponseLength()
        {
            _socket.Send(_request);
            var text = new StringBuilder();
            int headEnd;
            while ((headEnd = text.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) < 0 || text.Length < headEnd + 4 + ContentLength(text.ToString()))
            {
                var read = _socket.Receive(_buffer);
                Assert.True(read > 0, "the server closed the connection");
                text.Append(Encoding.ASCII.GetString(_buffer, 0, read));
            }

            Assert.StartsWith("HTTP/1.1 200 OK", text.ToString(), StringComparison.Ordinal);
            _responseLength = text.Length;
        }

        private static int ContentLength(string text)
        {
            var match = System.Text.RegularExpressions.Regex.Match(text, "^Content-Length: *([0-9]+)", System.Text.RegularExpressions.RegexOptions.Multiline | System.Text.RegularExpressions.RegexOptions.IgnoreCase);
            return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        }

        public void RoundTrips(int rounds)
        {
            try
            {
                for (var i = 0; i < rounds; i++)
                {
                    _socket.Send(_request);
                    for (var received = 0; received < _responseLength;)
                    {
                        var read = _socket.Receive(_buffer, 0, Math.Min(_buffer.Length, _responseLength - received), SocketFlags.None);
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

    /// <summary>Names the types being allocated (sampled every ~100 KB), for the failure message.</summary>
    private sealed class AllocationTickListener : System.Diagnostics.Tracing.EventListener
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _types = new();

        public string Summary() => string.Join(", ", _types.GroupBy(t => t).OrderByDescending(g => g.Count()).Select(g => $"{g.Key}×{g.Count()}"));

        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && eventData.Payload is { } payload)
            {
                var index = eventData.PayloadNames!.IndexOf("TypeName");
                _types.Enqueue(index >= 0 ? payload[index]?.ToString() ?? "?" : "?");
            }
        }
    }
}

[CollectionDefinition(nameof(StaticAllocationTests), DisableParallelization = true)]
public sealed class StaticAllocationTestsRunAlone;

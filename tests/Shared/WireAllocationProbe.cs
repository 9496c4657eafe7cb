using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace EventCore.Tests.Shared;

/// <summary>
/// Allocations per request of a real server over real sockets, counted process-wide (every thread). Keep-alive clients
/// on blocking sockets, each on its own thread, send the same request bytes and read back the response length learnt
/// from the first exchange, so they allocate nothing per request themselves; whatever is counted is the server's.
/// Compiled into each test project that measures a server this way (tests/Shared).
/// </summary>
internal static class WireAllocationProbe
{
    /// <summary>
    /// Warms up, then measures <paramref name="measuredRequests"/> requests three times at most and keeps the best run: a
    /// run on a loaded machine can catch a late tier-up or other background work of the process, while a per-request
    /// cost is in all three. Fails, naming the sampled allocated types, when the best run reaches <paramref name="bound"/>
    /// bytes per request. Returns the bytes of the best run.
    /// </summary>
    public static long AssertBytesPerRequestBelow(
        IReadOnlyList<RoundTripClient> clients, int warmUpRequests, int measuredRequests, double bound, string workload)
    {
        var requestsPerRound = clients.Count * clients[0].ResponsesPerRound;
        Run(clients, warmUpRequests / requestsPerRound);
        var allocated = long.MaxValue;
        for (var run = 0; run < 3 && allocated / (double)measuredRequests >= bound; run++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            Run(clients, measuredRequests / requestsPerRound);
            allocated = Math.Min(allocated, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        var perRequest = allocated / (double)measuredRequests;
        TestContext.Current.TestOutputHelper?.WriteLine($"{workload}: {allocated} bytes in {measuredRequests} requests ({perRequest:F3} per request)");
        if (perRequest >= bound)
        {
            // Name the types: the listener allocates itself, so it only runs for the message.
            using var ticks = new AllocationTickListener();
            Run(clients, measuredRequests / requestsPerRound);
            Assert.Fail($"{allocated} bytes allocated in {measuredRequests} requests of {workload} in the best of three runs; sampled types: {ticks.Summary()}");
        }

        return allocated;
    }

    /// <summary>Each client on its own thread, blocking calls: <paramref name="rounds"/> round trips each.</summary>
    public static void Run(IReadOnlyList<RoundTripClient> clients, int rounds)
    {
        var threads = clients.Select(c => new Thread(() => c.RoundTrips(rounds)) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a client did not finish its requests"));
        foreach (var client in clients)
        {
            Assert.Null(client.Failure);
        }
    }
}

/// <summary>
/// One keep-alive connection on a blocking socket: <see cref="ResponsesPerRound"/> requests out in one write
/// (pipelined when more than one), their responses' total length back. Every response of a workload has the same
/// length (the Date header's too), learnt from the first round.
/// </summary>
internal sealed class RoundTripClient : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _requests;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _responsesLength;

    private RoundTripClient(Socket socket, byte[] requests, int responsesPerRound)
    {
        _socket = socket;
        _requests = requests;
        ResponsesPerRound = responsesPerRound;
    }

    public int ResponsesPerRound { get; }

    public Exception? Failure { get; private set; }

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/> and learns the response length from one round (each response must be 200).</summary>
    public static RoundTripClient Connect(int port, string request, int responsesPerRound = 1)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 30_000 };
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        var requests = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(request, responsesPerRound)));
        var client = new RoundTripClient(socket, requests, responsesPerRound);
        client.LearnResponsesLength();
        return client;
    }

    public void RoundTrips(int rounds)
    {
        try
        {
            for (var i = 0; i < rounds; i++)
            {
                _socket.Send(_requests);
                for (var received = 0; received < _responsesLength;)
                {
                    var read = _socket.Receive(_buffer, 0, Math.Min(_buffer.Length, _responsesLength - received), SocketFlags.None);
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

    private void LearnResponsesLength()
    {
        _socket.Send(_requests);
        var text = new StringBuilder();
        while (CompleteResponses(text.ToString()) < ResponsesPerRound)
        {
            var read = _socket.Receive(_buffer);
            Assert.True(read > 0, "the server closed the connection");
            text.Append(Encoding.ASCII.GetString(_buffer, 0, read));
        }

        Assert.Equal(ResponsesPerRound, Regex.Count(text.ToString(), "HTTP/1\\.1 200 OK"));
        _responsesLength = text.Length;
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
                position = headEnd + 4 + int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
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
}

/// <summary>Samples allocation ticks (one per ~100 KB) so a failure names the types being allocated.</summary>
internal sealed class AllocationTickListener : System.Diagnostics.Tracing.EventListener
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

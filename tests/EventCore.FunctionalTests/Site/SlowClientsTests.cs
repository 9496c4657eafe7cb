using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EventCore.FunctionalTests.Site;

/// <summary>
/// Slowloris and slow readers against the sample, run as a child process (the attack's descriptors would crowd
/// the test process's limit otherwise): 5,000 connections trickle a request head one byte a second, 200 ask for
/// 64 MB and never read, while normal clients keep requesting. The attackers are cut off — the head trickle by the
/// request-headers timeout (408 and close), the non-readers by the minimum response data rate — the normal clients
/// see no error, and the server's memory stays bounded and its descriptors come back. Short timeouts are configured
/// so this runs in seconds; the rate the normal clients keep is measured by perf/slow-clients.sh, not here.
/// </summary>
public sealed class SlowClientsTests
{
    private const int Tricklers = 5000;
    private const int NonReaders = 200;
    private const long AllowedRssGrowth = 600L * 1024 * 1024;

    [Fact(Timeout = 240_000)]
    public async Task Slowloris_and_slow_readers_are_cut_off_while_normal_clients_are_served()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await SampleProcess.StartAsync("eventcore", new Dictionary<string, string>
        {
            ["EventCore:Limits:RequestHeadersTimeout"] = "00:00:02",
            ["EventCore:Limits:MinResponseDataRate:BytesPerSecond"] = "1000000",
            ["EventCore:Limits:MinResponseDataRate:GracePeriod"] = "00:00:02",
        }, ct);
        using var normal = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8 }) { BaseAddress = new Uri($"http://{app.EndPoint}/") };
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("Hello, World!", await normal.GetStringAsync("/plaintext", ct));
        }

        var idleDescriptors = app.OpenDescriptors;
        var idleRss = app.ResidentBytes;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var served = 0;
        var errors = new ConcurrentQueue<string>();
        var normalClients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var body = await normal.GetStringAsync("/plaintext", ct);
                    if (body == "Hello, World!")
                    {
                        Interlocked.Increment(ref served);
                    }
                    else
                    {
                        errors.Enqueue("unexpected body: " + body);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    errors.Enqueue(ex.Message);
                }
            }
        }, CancellationToken.None)).ToArray();

        // The server's descriptors are sampled from before the attack on: on a loaded machine the connects take seconds,
        // and the first attackers are cut off (2 s) while the last still connect, so a look taken after them all could
        // miss the peak.
        var peakDescriptors = 0;
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested && !app.HasExited)
            {
                int now;
                try
                {
                    now = app.OpenDescriptors;
                }
                catch (IOException)
                {
                    return; // The process is gone: asserted below.
                }

                if (now > Volatile.Read(ref peakDescriptors))
                {
                    Volatile.Write(ref peakDescriptors, now);
                }

                await Task.Delay(50, CancellationToken.None);
            }
        }, CancellationToken.None);
        var trickle = await ConnectManyAsync(app.EndPoint, Tricklers, null, ct);
        var nonReaders = await ConnectManyAsync(app.EndPoint, NonReaders, "GET /bytes/67108864 HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
        try
        {
            // The trickle: one more byte of a head that never ends, every second, until the server closes.
            var head = Encoding.ASCII.GetBytes("GET /plaintext HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + new string('a', 100));
            var attackerCount = trickle.Count + nonReaders.Count;
            var cutOff = false;
            for (var second = 0; second < 60 && !cutOff; second++)
            {
                foreach (var socket in trickle)
                {
                    TrySendByte(socket, head[second % head.Length]);
                }

                await Task.Delay(1000, ct);
                var open = app.OpenDescriptors;
                // Gate: every attacker's server side is gone while the attackers still hold their sockets open.
                cutOff = open <= idleDescriptors + 20;
            }

            var peakRss = app.PeakResidentBytes;
            stop.Cancel();
            await Task.WhenAll(normalClients);
            await sampling.CancelAsync();
            await sampler;
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"attackers {attackerCount}, server descriptors {idleDescriptors} idle / {peakDescriptors} peak, RSS {idleRss >> 20} MB idle / {peakRss >> 20} MB peak, normal requests {served}");

            Assert.True(cutOff, $"The attackers were not all cut off: the server still holds {app.OpenDescriptors} descriptors ({idleDescriptors} idle).");
            Assert.True(peakDescriptors > idleDescriptors + (attackerCount / 2), "The attack never reached the server.");
            Assert.Empty(errors);
            Assert.True(served > 0);
            Assert.True(peakRss - idleRss < AllowedRssGrowth, $"RSS grew by {(peakRss - idleRss) >> 20} MB under the attack.");
            Assert.False(app.HasExited);

            // The trickle was answered as a slow head is: 408, then the close.
            var answered = 0;
            foreach (var socket in trickle.Take(200))
            {
                answered += await ReadAnswerAsync(socket, ct) is var answer && answer.StartsWith("HTTP/1.1 408 ", StringComparison.Ordinal) ? 1 : 0;
            }

            Assert.Equal(Math.Min(200, trickle.Count), answered);
        }
        finally
        {
            await sampling.CancelAsync();
            foreach (var socket in trickle.Concat(nonReaders))
            {
                socket.Dispose();
            }
        }
    }

    private static void TrySendByte(Socket socket, byte value)
    {
        try
        {
            socket.Send([value], SocketFlags.None);
        }
        catch (SocketException)
        {
            // Closed by the server: the point of the exercise.
        }
    }

    private static async Task<string> ReadAnswerAsync(Socket socket, CancellationToken ct)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // A reset after the answer still leaves the answer.
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    /// <summary>Opens <paramref name="count"/> connections, 256 connects at a time; small receive buffers, as a non-reader would.</summary>
    private static async Task<List<Socket>> ConnectManyAsync(IPEndPoint endPoint, int count, string? request, CancellationToken ct)
    {
        using var gate = new SemaphoreSlim(256);
        var sockets = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync(ct);
            try
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
                await socket.ConnectAsync(endPoint, ct);
                if (request is not null)
                {
                    await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, ct);
                }

                return socket;
            }
            finally
            {
                gate.Release();
            }
        }));
        return [.. sockets];
    }
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using EventCore.FunctionalTests.Infrastructure;

namespace EventCore.FunctionalTests.Parity;

/// <summary>
/// EventCore's connection instruments against Kestrel's own: the same instruments (kind, unit, description, bucket
/// advice) under <c>eventcore.*</c> on meter <c>EventCore.Server</c>, and for the same traffic the same
/// measurements with the same tags, so a Kestrel dashboard works after renaming <c>kestrel.</c> to <c>eventcore.</c>.
/// </summary>
public sealed class MetricsParityTests
{
    private const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";
    private const string EventCoreMeter = "EventCore.Server";

    [Fact(Timeout = 60_000)]
    public async Task Every_Kestrel_connection_instrument_exists_under_EventCores_name_with_the_same_shape()
    {
        var ct = TestContext.Current.CancellationToken;
        using var recorder = new Recorder();

        // Both servers running, so both meters exist.
        await using var kestrel = await ParityHost.StartAsync(ServerKind.Kestrel, new ParitySettings(), app => { }, ct);
        await using var eventCore = await ParityHost.StartAsync(ServerKind.EventCoreEpoll, new ParitySettings(), app => { }, ct);

        var kestrelInstruments = recorder.Instruments(KestrelMeter);
        var eventCoreInstruments = recorder.Instruments(EventCoreMeter);

        // kestrel.queued_requests counts HTTP/2 and HTTP/3 streams only; EventCore serves HTTP/1.1.
        var expected = kestrelInstruments.Where(i => i.Name != "kestrel.queued_requests").ToList();
        Assert.Equal(7, expected.Count);
        foreach (var instrument in expected)
        {
            var name = "eventcore." + instrument.Name["kestrel.".Length..];
            var ours = Assert.Single(eventCoreInstruments, i => i.Name == name);
            Assert.Equal(instrument with { Name = name }, ours);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task The_same_traffic_gives_the_same_measurements_with_the_same_tags()
    {
        var ct = TestContext.Current.CancellationToken;
        using var recorder = new Recorder();

        var kestrel = await RunScenariosAsync(ServerKind.Kestrel, recorder, ct);
        var eventCore = await RunScenariosAsync(ServerKind.EventCoreEpoll, recorder, ct);
        TestContext.Current.TestOutputHelper?.WriteLine("Kestrel:\n" + string.Join('\n', kestrel) + "\nEventCore:\n" + string.Join('\n', eventCore));

        Assert.Contains(kestrel, m => m.StartsWith("connection.duration", StringComparison.Ordinal) && m.Contains("error.type=max_concurrent_connections_exceeded", StringComparison.Ordinal));
        Assert.Contains(kestrel, m => m.StartsWith("upgraded_connections +", StringComparison.Ordinal));
        Assert.Equal(kestrel, eventCore);
    }

    /// <summary>
    /// Four kinds of connection (served and closed by the client; refused for a missing Host; over the connection
    /// limit; upgraded to a WebSocket), then every measurement of that server, normalised (prefix stripped, the
    /// port's value and durations dropped) and sorted.
    /// </summary>
    private static async Task<List<string>> RunScenariosAsync(ServerKind server, Recorder recorder, CancellationToken ct)
    {
        int port;
        await using (var host = await ParityHost.StartAsync(server, new ParitySettings { MaxConcurrentConnections = 1 }, MapApp, ct))
        {
            port = host.EndPoint.Port;
            using (var served = await RawConnection.ConnectAsync(host.EndPoint, ct))
            {
                await served.SendAsync("GET /plain HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
                Assert.Equal(200, (await served.ReadResponseAsync(ct)).StatusCode);
            }

            await recorder.WaitForAsync(port, "connection.duration", 1, ct);
            using (var bad = await RawConnection.ConnectAsync(host.EndPoint, ct))
            {
                await bad.SendAsync("GET /plain HTTP/1.1\r\n\r\n", ct);
                Assert.Equal(400, (await bad.ReadResponseAsync(ct)).StatusCode);
            }

            await recorder.WaitForAsync(port, "connection.duration", 2, ct);
            using (var admitted = await RawConnection.ConnectAsync(host.EndPoint, ct))
            {
                await admitted.SendAsync("GET /plain HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
                Assert.Equal(200, (await admitted.ReadResponseAsync(ct)).StatusCode);
                await Record.ExceptionAsync(async () =>
                {
                    using var refused = await RawConnection.ConnectAsync(host.EndPoint, ct);
                    await refused.SendAsync("GET /plain HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
                    await refused.ReadToEndAsync(ct);
                });
                await recorder.WaitForAsync(port, "rejected_connections", 1, ct);
            }

            await recorder.WaitForAsync(port, "connection.duration", 4, ct);
            using (var socket = new ClientWebSocket())
            {
                await socket.ConnectAsync(new Uri($"ws://{host.EndPoint}/ws"), ct);
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", ct);
            }

            await recorder.WaitForAsync(port, "connection.duration", 5, ct);
        }

        return recorder.Normalised(port);
    }

    private static void MapApp(Microsoft.AspNetCore.Builder.WebApplication app)
    {
        Microsoft.AspNetCore.Builder.WebSocketMiddlewareExtensions.UseWebSockets(app);
        Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.MapGet(app, "/plain", () => "plain");
        Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.Map(app, "/ws", async (Microsoft.AspNetCore.Http.HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var result = await socket.ReceiveAsync(new byte[16], context.RequestAborted);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
            Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        });
    }

    /// <summary>An instrument's shape: what a dashboard depends on.</summary>
    private sealed record InstrumentShape(string Name, string? Unit, string Kind, string? Description, string Buckets);

    /// <summary>Records both meters' instruments and measurements (tests in this assembly run one at a time).</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<Instrument, byte> _instruments = new();
        private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();

        public Recorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name is KestrelMeter or EventCoreMeter)
                {
                    _instruments[instrument] = 0;
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            _listener.Start();
        }

        public List<InstrumentShape> Instruments(string meter) =>
            [.. _instruments.Keys.Where(i => i.Meter.Name == meter).Select(Shape).DistinctBy(s => s.Name)];

        public async Task WaitForAsync(int port, string instrument, int count, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            while (Of(port).Count(m => m.Instrument == instrument) < count)
            {
                await Task.Delay(20, timeout.Token);
            }
        }

        /// <summary>"instrument ±|value tag=value ..." lines, without the port and the measured durations.</summary>
        public List<string> Normalised(int port) =>
            [.. Of(port).Select(m =>
            {
                var value = m.Instrument.EndsWith("duration", StringComparison.Ordinal) ? "" : m.Value > 0 ? " +" : " -";
                var tags = m.Tags.Where(t => t.Key != "server.port").OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $" {t.Key}={t.Value}");
                return m.Instrument + value + string.Concat(tags);
            }).Order(StringComparer.Ordinal)];

        public void Dispose() => _listener.Dispose();

        private static InstrumentShape Shape(Instrument instrument)
        {
            var buckets = instrument is Histogram<double> { Advice.HistogramBucketBoundaries: { } boundaries } ? string.Join(",", boundaries) : "";
            return new InstrumentShape(instrument.Name, instrument.Unit, instrument.GetType().Name, instrument.Description, buckets);
        }

        private IEnumerable<(string Instrument, double Value, Dictionary<string, object?> Tags)> Of(int port) =>
            _measurements.Where(m => m.Tags.TryGetValue("server.port", out var p) && p is int value && value == port);

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            var name = instrument.Name[(instrument.Name.IndexOf('.', StringComparison.Ordinal) + 1)..];
            _measurements.Enqueue((name, value, copy));
        }
    }
}

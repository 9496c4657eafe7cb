using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EventCore.Server.Tests.Support;

namespace EventCore.Server.Tests;

public class MetricsTests
{
    [Fact]
    public async Task Requests_active_requests_bad_requests_and_duration_are_reported()
    {
        var measurements = new ConcurrentQueue<(string Name, double Value, string? Reason)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "EventCore.Server")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Reason(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Reason(tags))));
        listener.Start();

        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext);
        using (var client = await host.ConnectAsync())
        {
            await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
            await client.ReadResponseAsync();
            await client.ReadResponseAsync();
        }

        using (var bad = await host.ConnectAsync())
        {
            await bad.SendAsync("GET / HTTP/1.1\r\n\r\n");
            await bad.ReadResponseAsync();
        }

        var mine = measurements.Where(m => m.Name.StartsWith("eventcore.server.", StringComparison.Ordinal)).ToList();
        Assert.True(mine.Count(m => m.Name == "eventcore.server.requests") >= 2);
        Assert.True(mine.Count(m => m.Name == "eventcore.server.active_requests" && m.Value == 1) >= 2);
        Assert.True(mine.Count(m => m.Name == "eventcore.server.request_duration" && m.Value >= 0) >= 2);
        Assert.Contains(mine, m => m.Name == "eventcore.server.bad_requests" && m.Reason == "MissingHost");
    }

    private static string? Reason(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "reason")
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}

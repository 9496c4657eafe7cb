using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.Sockets;

namespace EventCore.Transport.Epoll.Tests;

public class MetricsTests
{
    [Fact]
    public async Task Connection_and_byte_counters_are_reported()
    {
        await using TestServer server = await TestServer.StartAsync(new EpollTransportOptions { LoopCount = 2 }, Apps.EchoAsync);
        var totals = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == server.Factory.Metrics.Meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => totals.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        listener.Start();

        for (int i = 0; i < 3; i++)
        {
            using Socket client = await server.ConnectAsync();
            await Apps.RoundTripAsync(client, new byte[100]);
            client.Shutdown(SocketShutdown.Send);
            await Apps.ReceiveToEndAsync(client);
        }
        await Poll.UntilAsync(() => totals.GetValueOrDefault("eventcore.transport.closed_connections") == 3);

        Assert.Equal(3, totals["eventcore.transport.accepted_connections"]);
        Assert.Equal(0, totals["eventcore.transport.active_connections"]);
        Assert.Equal(300, totals["eventcore.transport.bytes_read"]);
        Assert.Equal(300, totals["eventcore.transport.bytes_written"]);
        Assert.Equal("EventCore.Transport.Epoll", server.Factory.Metrics.Meter.Name);
    }
}

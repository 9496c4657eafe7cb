using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using EventCore.Server.Http1;
using EventCore.Server.Infrastructure;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventCore.Server.Tests;

public class InfrastructureTests
{
    [Fact]
    public void Every_known_feature_type_finds_its_own_slot()
    {
        // The exchange's feature lookup compares type handles in its own order; the slots are the known types' order.
        var slotOf = typeof(Http1Exchange).GetMethod(nameof(Http1Exchange.SlotOf), System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!;
        var known = Http1Exchange.KnownFeatureTypes;
        for (var i = 0; i < known.Count; i++)
        {
            Assert.Equal(i, (int)slotOf.MakeGenericMethod(known[i]).Invoke(null, null)!);
        }

        Assert.Equal(-1, Http1Exchange.SlotOf<Microsoft.AspNetCore.Connections.Features.IConnectionIdFeature>());
        Assert.Equal(-1, Http1Exchange.SlotOf<object>());
    }

    [Fact]
    public void Date_header_is_rfc_1123_and_refreshed_by_its_timer()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 11, 23, 8, 49, 37, TimeSpan.Zero));
        using var cache = new DateHeaderCache(time);
        Assert.Equal("Mon, 23 Nov 2026 08:49:37 GMT", cache.Current.Text);
        Assert.Equal($"Date: {cache.Current.Text}\r\n", Encoding.ASCII.GetString(cache.Current.HeaderLine));
        time.Now = time.Now.AddSeconds(1);
        time.Fire();
        Assert.Equal("Mon, 23 Nov 2026 08:49:38 GMT", cache.Current.Text);
    }

    [Theory]
    [InlineData(1, 1, "1\r\n")]
    [InlineData(13, 1, "d\r\n")]
    [InlineData(13, 4, "000d\r\n")]
    [InlineData(0x1234, 4, "1234\r\n")]
    public void Chunk_prefix_is_zero_padded_hex(int length, int width, string expected)
    {
        var buffer = new byte[width + 2];
        ResponseWriter.WriteChunkPrefix(buffer, length, width);
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(15, 1)]
    [InlineData(16, 2)]
    [InlineData(4096, 4)]
    [InlineData(65535, 4)]
    [InlineData(65536, 5)]
    public void Hex_width_fits_the_length(int length, int width) => Assert.Equal(width, ResponseWriter.HexWidth(length));

    [Fact]
    public async Task Connection_manager_keeps_the_open_connections_and_reports_when_empty()
    {
        var manager = new ConnectionManager();
        using var dates = new DateHeaderCache(TimeProvider.System);
        var service = new ServiceContext(new EventCoreServerOptions(), NullLoggerFactory.Instance, new ServerMetrics(), dates, manager);
        var connections = Enumerable.Range(0, 3).Select(i => NewConnection(service, i)).ToArray();
        Assert.True(manager.WhenEmptyAsync().IsCompleted);
        foreach (var connection in connections)
        {
            manager.Add(connection);
        }

        var empty = manager.WhenEmptyAsync();
        Assert.False(empty.IsCompleted);
        Assert.Equal(3, manager.Count);
        Assert.Equal(["2", "1", "0"], Open(manager, removing: connections[1])); // the middle one, then the newest, then the oldest
        Assert.Equal(["2", "0"], Open(manager, removing: connections[2]));
        Assert.Equal(["0"], Open(manager, removing: connections[2])); // removed already: nothing happens
        Assert.False(empty.IsCompleted);
        manager.Remove(connections[0]);
        Assert.Equal(0, manager.Count);
        Assert.Empty(Open(manager, removing: connections[0]));
        await empty.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        manager.Add(connections[1]); // a removed connection's links are clear: it can be listed again
        var emptyAgain = manager.WhenEmptyAsync(); // not the task the first emptying completed
        Assert.False(emptyAgain.IsCompleted);
        Assert.Equal(["1"], Open(manager, removing: connections[1]));
        await emptyAgain.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    /// <summary>The ids of the open connections, newest first; the walk removes <paramref name="removing"/> as it meets it.</summary>
    private static List<string> Open(ConnectionManager manager, Http1Connection removing)
    {
        var ids = new List<string>();
        manager.ForEach((c, _) =>
        {
            ids.Add(c.ConnectionId);
            if (ReferenceEquals(c, removing))
            {
                manager.Remove(c); // an action may close connections (shutdown's does)
            }
        }, 0);
        return ids;
    }

    private static Http1Connection<IFeatureCollection> NewConnection(ServiceContext service, int id)
    {
        var pipe = new Pipe();
        var context = new DefaultConnectionContext(id.ToString(CultureInfo.InvariantCulture), new AllocationTests.DuplexPipe(pipe.Reader, pipe.Writer), new AllocationTests.DuplexPipe(pipe.Reader, pipe.Writer));
        return new Http1Connection<IFeatureCollection>(context, service, null!); // never serves: no exchange is rented
    }

    /// <summary>A clock whose single timer fires on demand.</summary>
    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private TimerCallback? _callback;
        private object? _state;

        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _callback = callback;
            _state = state;
            return new NoTimer();
        }

        public void Fire() => _callback?.Invoke(_state);

        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => default;
        }
    }
}

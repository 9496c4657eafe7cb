using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace EventCore.Transport.Epoll.Tests;

/// <summary>
/// Parking (EpollConnection.Park.cs): the loop gives a parked connection's pipes back to its pool only once the park's
/// awaiter is registered. Released earlier, a wake could start a new serve loop and a new park while the old loop was
/// still about to await the old one, with a token that had become stale (seen on CI as a connection failing under load).
/// </summary>
public sealed class ParkTests
{
    [Fact]
    public async Task A_release_asked_before_the_park_is_awaited_waits_for_the_awaiter()
    {
        var owner = new RecordingParkOwner();
        var parkAwaited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new EpollTransportOptions { LoopCount = 1 };
        await using TestServer server = await TestServer.StartAsync(options, async c =>
        {
            var connection = (EpollConnection)c;
            connection.ParkOwner = owner;
            ReadResult first = await c.Transport.Input.ReadAsync();
            c.Transport.Input.AdvanceTo(first.Buffer.End);

            ValueTask park = connection.ParkAsync();
            connection.ReleaseIdlePipes(); // asked while the park is not awaited yet
            // The loop handles the request at once; give it ample time to (wrongly) release before the await.
            DateTime until = DateTime.UtcNow + TimeSpan.FromMilliseconds(500);
            while (!connection.PipesReleased && DateTime.UtcNow < until)
            {
                await Task.Delay(20);
            }
            bool releasedBeforeAwait = connection.PipesReleased;
            connection.CancelIdleWait(); // ends the park: it completes normally, with its pipes
            await park;
            parkAwaited.SetResult(releasedBeforeAwait);

            // Awaited, a release is honoured: the awaiter is dropped and the owner resumed on waking.
            await connection.ParkAsync(releasePipesOnceAwaited: true);
            Assert.Fail("a park whose pipes were released never completes");
        });
        using Socket client = await server.ConnectAsync();
        await client.SendAsync("a"u8.ToArray());

        Assert.False(await parkAwaited.Task.WaitAsync(TestServer.Timeout), "the pipes were released before the park was awaited");
        var connection = (EpollConnection)server.Connections.Single();
        await Poll.UntilAsync(() => connection.PipesReleased, "the awaited park's pipes were not released");

        await client.SendAsync("b"u8.ToArray());
        await owner.Resumed.Task.WaitAsync(TestServer.Timeout);
        ReadResult woken = await connection.Transport.Input.ReadAsync();
        Assert.Equal("b"u8.ToArray(), woken.Buffer.ToArray());
        connection.Transport.Input.AdvanceTo(woken.Buffer.End);
        Assert.Empty(server.AppErrors);
        await connection.DisposeAsync(); // the app's await was abandoned: its owner (here the test) ends the connection
    }

    /// <summary>
    /// The heartbeat asks for the release of an idle connection's pipes from its own thread, so the ask can reach the
    /// loop before the request thread has parked, or before it awaits the park. It is kept, and the pipes go back once
    /// the park is awaited (before, such an ask was dropped and the idle connection kept its pipes until it woke).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_release_asked_early_is_made_once_the_park_is_awaited(bool askBeforeParking)
    {
        var owner = new RecordingParkOwner();
        var beforeAwait = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new EpollTransportOptions { LoopCount = 1 };
        await using TestServer server = await TestServer.StartAsync(options, async c =>
        {
            var connection = (EpollConnection)c;
            connection.ParkOwner = owner;
            ReadResult first = await c.Transport.Input.ReadAsync();
            c.Transport.Input.AdvanceTo(first.Buffer.End);

            ValueTask park;
            if (askBeforeParking)
            {
                connection.ReleaseIdlePipes();
                await connection.Loop.InvokeAsync(static _ => { }, null); // the ask has reached the loop: nothing is parked
                park = connection.ParkAsync();
            }
            else
            {
                park = connection.ParkAsync();
                connection.ReleaseIdlePipes();
            }

            await connection.Loop.InvokeAsync(static _ => { }, null); // the park and the ask have reached the loop
            beforeAwait.SetResult(connection.PipesReleased);
            await park;
            Assert.Fail("a park whose pipes were released never completes");
        });
        using Socket client = await server.ConnectAsync();
        await client.SendAsync("a"u8.ToArray());

        Assert.False(await beforeAwait.Task.WaitAsync(TestServer.Timeout), "the pipes were released before the park was awaited");
        var connection = (EpollConnection)server.Connections.Single();
        await Poll.UntilAsync(() => connection.PipesReleased, "the early ask was lost: the awaited park kept its pipes");

        await client.SendAsync("b"u8.ToArray());
        await owner.Resumed.Task.WaitAsync(TestServer.Timeout);
        ReadResult woken = await connection.Transport.Input.ReadAsync();
        Assert.Equal("b"u8.ToArray(), woken.Buffer.ToArray());
        connection.Transport.Input.AdvanceTo(woken.Buffer.End);
        Assert.Empty(server.AppErrors);
        await connection.DisposeAsync();
    }

    private sealed class RecordingParkOwner : IParkOwner
    {
        public TaskCompletionSource Resumed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void ResumeAfterRelease() => Resumed.TrySetResult();

        public string? DescribeBlockedWork() => null;
    }
}

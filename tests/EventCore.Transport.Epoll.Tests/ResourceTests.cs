using System.Net.Sockets;

namespace EventCore.Transport.Epoll.Tests;

[CollectionDefinition(nameof(ProcessWideResources), DisableParallelization = true)]
public sealed class ProcessWideResources;

/// <summary>fd and thread accounting: process-wide numbers, so these run alone.</summary>
[Collection(nameof(ProcessWideResources))]
public class ResourceTests
{
    [Fact]
    public async Task Closing_200_connections_returns_fds_and_disposing_stops_threads()
    {
        // Every earlier test disposed its factory; a loop thread can outlive Join by a moment in /proc.
        await Poll.UntilAsync(() => CountLoopThreads() == 0, "loop threads of earlier tests have exited");
        int baselineFds = CountFds();
        const int baselineLoops = 0;
        var options = new EpollTransportOptions { LoopCount = 2 };
        TestServer server = await TestServer.StartAsync(options, Apps.EchoAsync);
        var clients = new List<Socket>();
        for (int i = 0; i < 200; i++)
        {
            clients.Add(await server.ConnectAsync());
        }
        await Task.WhenAll(clients.Select(c => Apps.RoundTripAsync(c, [1])));
        Assert.True(CountFds() >= baselineFds + 400);
        Assert.Equal(baselineLoops + 2, CountLoopThreads());

        clients.ForEach(c => c.Dispose());
        // Left open: per loop an epoll fd, an eventfd and a listening socket.
        await Poll.UntilAsync(() => CountFds() <= baselineFds + (3 * options.LoopCount) + 4, $"fds: {CountFds()} vs baseline {baselineFds}");
        await Poll.UntilAsync(() => server.Factory.Loops.All(l => l.HandlerCount == 1));

        await server.DisposeAsync();
        await Poll.UntilAsync(() => CountFds() <= baselineFds + 4, $"fds: {CountFds()} vs baseline {baselineFds}");
        Assert.Equal(baselineLoops, CountLoopThreads());
    }

    [Fact]
    public async Task Disposing_the_factory_aborts_open_connections()
    {
        TestServer server = await TestServer.StartAsync(new EpollTransportOptions { LoopCount = 1 }, Apps.EchoAsync);
        using Socket client = await server.ConnectAsync();
        await Apps.RoundTripAsync(client, [1]);
        await server.DisposeAsync();
        await Assert.ThrowsAsync<SocketException>(() => Apps.ReceiveToEndAsync(client));
    }

    [Fact]
    public async Task PinThreads_pins_loop_i_to_cpu_i()
    {
        await Poll.UntilAsync(() => CountLoopThreads() == 0, "loop threads of earlier tests have exited");
        var options = new EpollTransportOptions { LoopCount = 2, PinThreads = true };
        await using TestServer server = await TestServer.StartAsync(options, Apps.EchoAsync);
        using Socket client = await server.ConnectAsync();
        await Apps.RoundTripAsync(client, [1]);
        string[] allowed = LoopThreadDirectories()
            .Select(t => File.ReadAllLines(Path.Combine(t, "status")).Single(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)))
            .Select(l => l["Cpus_allowed_list:".Length..].Trim())
            .Order(StringComparer.Ordinal)
            .ToArray();
        string[] expected = Enumerable.Range(0, 2).Select(i => (i % Environment.ProcessorCount).ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, allowed);
    }

    private static int CountFds() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>Loop threads by their kernel name ("EventCore epoll N", cut to 15 characters).</summary>
    private static int CountLoopThreads() => LoopThreadDirectories().Length;

    private static string[] LoopThreadDirectories()
        => Directory.GetDirectories("/proc/self/task").Where(t =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(t, "comm")).StartsWith("EventCore epol", StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
        }).ToArray();
}

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
        HashSet<string> earlier = await EarlierLoopThreadsAsync();
        int baselineFds = CountFds();
        var options = new EpollTransportOptions { LoopCount = 2 };
        TestServer server = await TestServer.StartAsync(options, Apps.EchoAsync);
        var clients = new List<Socket>();
        for (int i = 0; i < 200; i++)
        {
            clients.Add(await server.ConnectAsync());
        }
        await Task.WhenAll(clients.Select(c => Apps.RoundTripAsync(c, [1])));
        Assert.True(CountFds() >= baselineFds + 400);
        Assert.Equal(2, OwnLoopThreads(earlier).Length);

        clients.ForEach(c => c.Dispose());
        // Left open: per loop an epoll fd, an eventfd and a listening socket.
        await Poll.UntilAsync(() => CountFds() <= baselineFds + (3 * options.LoopCount) + 4, $"fds: {CountFds()} vs baseline {baselineFds}");
        await Poll.UntilAsync(() => server.Factory.Loops.All(l => l.HandlerCount == 1));

        await server.DisposeAsync();
        await Poll.UntilAsync(() => CountFds() <= baselineFds + 4, $"fds: {CountFds()} vs baseline {baselineFds}");
        Assert.Empty(OwnLoopThreads(earlier));
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
        HashSet<string> earlier = await EarlierLoopThreadsAsync();
        var options = new EpollTransportOptions { LoopCount = 2, PinThreads = true };
        await using TestServer server = await TestServer.StartAsync(options, Apps.EchoAsync);
        using Socket client = await server.ConnectAsync();
        await Apps.RoundTripAsync(client, [1]);
        string[] allowed = OwnLoopThreads(earlier)
            .Select(t => File.ReadAllLines(Path.Combine(t, "status")).Single(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)))
            .Select(l => l["Cpus_allowed_list:".Length..].Trim())
            .Order(StringComparer.Ordinal)
            .ToArray();
        string[] expected = Enumerable.Range(0, 2).Select(i => (i % Environment.ProcessorCount).ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, allowed);
    }

    private static int CountFds() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>Loop threads by their kernel name ("EventCore epoll N", cut to 15 characters).</summary>
    /// <summary>
    /// Loop threads of earlier tests' factories. Each test disposed its factory, but a loop thread can outlive Join by
    /// a moment in /proc, and one the blocked-loop guard handed off exits only when the callout it was stuck in returns
    /// (seen once on CI: one stayed for minutes). Waits a while for them to go; any still there are told apart from
    /// this test's own threads by their task ids, and named in the test's output.
    /// </summary>
    private static async Task<HashSet<string>> EarlierLoopThreadsAsync()
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (LoopThreadDirectories().Length > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        HashSet<string> left = [.. LoopThreadDirectories()];
        foreach (string task in left)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"an earlier test's loop thread is still running: {Describe(task)}");
        }
        return left;
    }

    /// <summary>Loop threads started since <paramref name="earlier"/> was taken.</summary>
    private static string[] OwnLoopThreads(HashSet<string> earlier) => LoopThreadDirectories().Where(t => !earlier.Contains(t)).ToArray();

    /// <summary>"task 1234 'EventCore epoll 0' state S wchan ep_poll", for the test's output.</summary>
    private static string Describe(string task)
    {
        try
        {
            string stat = File.ReadAllText(Path.Combine(task, "stat"));
            string state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            string wchan = File.Exists(Path.Combine(task, "wchan")) ? File.ReadAllText(Path.Combine(task, "wchan")) : "?";
            return $"task {Path.GetFileName(task)} '{File.ReadAllText(Path.Combine(task, "comm")).Trim()}' state {state} wchan {wchan}";
        }
        catch (IOException)
        {
            return $"task {Path.GetFileName(task)} (gone)";
        }
    }

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

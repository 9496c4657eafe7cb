using System.Globalization;
using EventCore.FunctionalTests.Infrastructure;

namespace EventCore.FunctionalTests;

/// <summary>Many connections at once.</summary>
public abstract partial class HttpConformanceTests
{
    private const int ManyConnections = 1_000;

    [Fact(Timeout = 2 * TestTimeout)]
    public async Task ThousandConcurrentConnectionsAreAllAnswered()
    {
        var ct = TestContext.Current.CancellationToken;
        var openFiles = SoftOpenFileLimit();
        Assert.SkipWhen(openFiles < 4096, $"ulimit -n is {openFiles}; this case needs at least 4096 (client and server sockets share the process).");
        var endPoint = await DefaultAppAsync();
        var connections = new List<RawConnection>(ManyConnections);
        try
        {
            // All are open at once before any request is sent.
            for (var i = 0; i < ManyConnections; i++)
            {
                connections.Add(await RawConnection.ConnectAsync(endPoint, ct));
            }

            await Task.WhenAll(connections.Select(c => c.SendAsync(GetPlaintext, ct)));
            var responses = await Task.WhenAll(connections.Select(c => c.ReadResponseAsync(ct)));

            Assert.All(responses, r => Assert.Equal((200, "Hello, World!"), (r.StatusCode, r.BodyText)));
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
        }
    }

    /// <summary>The soft RLIMIT_NOFILE of this process, from /proc/self/limits.</summary>
    private static long SoftOpenFileLimit()
    {
        var line = File.ReadLines("/proc/self/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return soft == "unlimited" ? long.MaxValue : long.Parse(soft, CultureInfo.InvariantCulture);
    }
}

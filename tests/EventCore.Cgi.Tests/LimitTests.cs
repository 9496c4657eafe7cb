using System.Net;
using EventCore.Cgi.Tests.Support;
using EventCore.Transport.Epoll;

namespace EventCore.Cgi.Tests;

/// <summary>The process limit (503 at once beyond it), many scripts at once, and a server loop that scripts never block.</summary>
public sealed class LimitTests
{
    [Fact]
    public async Task BeyondMaxProcessesTheAnswerIs503AtOnceAndSlotsComeBack()
    {
        await using var host = await CgiHost.StartAsync(cgi: o => o.MaxProcesses = 2);
        var held = new List<RawHttp>();
        try
        {
            // Two scripts that answer at once, then wait for the rest of their request body: both slots taken.
            for (var i = 0; i < 2; i++)
            {
                var connection = await RawHttp.ConnectAsync(host.Port);
                held.Add(connection);
                await connection.SendAsync("POST /cgi-bin/wait-stdin.sh HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nConnection: close\r\n\r\nx");
                await connection.ReadUntilAsync("started");
            }

            Assert.Equal(2, host.Executor.RunningProcesses);
            using var client = host.CreateClient();
            using (var refused = await client.GetAsync("/cgi-bin/hello.sh", TestContext.Current.CancellationToken))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            }

            Assert.Contains(host.Logs.Cgi, l => l.Message.Contains("answered 503", StringComparison.Ordinal));
            foreach (var connection in held)
            {
                await connection.SendAsync("y");
                await connection.ReadToEndAsync();
                var response = RawResponse.Parse(connection.Received);
                Assert.Equal("started\ndone\n", response.BodyText);
            }

            await ProcessTable.WaitUntilAsync(() => host.Executor.RunningProcesses == 0, TimeSpan.FromSeconds(10), () => "both slots released");
            Assert.Equal("hello again\n", await client.GetStringAsync("/cgi-bin/hello.sh?again", TestContext.Current.CancellationToken));
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }
    }

    [Theory]
    [InlineData(ServerKind.EventCore)]
    [InlineData(ServerKind.Kestrel)]
    public async Task TwoHundredScriptsAtOnceAllAnswer(ServerKind server)
    {
        await using var host = await CgiHost.StartAsync(server, cgi: o => o.MaxProcesses = 200);
        using var client = host.CreateClient();
        var requests = Enumerable.Range(0, 200)
            .Select(i => client.GetStringAsync($"/cgi-bin/hello.sh?{i}", TestContext.Current.CancellationToken))
            .ToArray();
        var bodies = await Task.WhenAll(requests);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"hello {i}\n"), bodies);
        await ProcessTable.WaitUntilAsync(() => host.Executor.RunningProcesses == 0, TimeSpan.FromSeconds(10), () => "every slot released");
    }

    [Fact]
    public async Task AScriptNeverBlocksTheEpollLoopEvenWhenTheAppRunsOnIt()
    {
        // One epoll loop with the app inline on it, and EventCore's blocked-loop guard watching: a synchronous wait on
        // a script would hold the loop for as long as the script runs (here until the test lets it end), far beyond
        // the threshold, and the guard would say so. (100 ms, not the 1 ms default: first-call JIT is not the point.)
        await using var host = await CgiHost.StartAsync(transport: o =>
        {
            o.LoopCount = 1;
            o.ApplicationScheduling = ApplicationScheduling.Inline;
            o.BlockedLoopThreshold = TimeSpan.FromMilliseconds(100);
        });
        using var client = host.CreateClient();
        Assert.Equal("hello warm\n", await client.GetStringAsync("/cgi-bin/hello.sh?warm", TestContext.Current.CancellationToken));

        using var held = await RawHttp.ConnectAsync(host.Port);
        await held.SendAsync("POST /cgi-bin/wait-stdin.sh HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nConnection: close\r\n\r\nx");
        await held.ReadUntilAsync("started");
        Assert.Equal("hello from the app ", await client.GetStringAsync("/hello", TestContext.Current.CancellationToken));
        Assert.Equal("hello meanwhile\n", await client.GetStringAsync("/cgi-bin/hello.sh?meanwhile", TestContext.Current.CancellationToken));

        // The response is complete once the script's output ends; its slot is released when it has been reaped.
        await ProcessTable.WaitUntilAsync(() => host.Executor.RunningProcesses == 1, TimeSpan.FromSeconds(10), () => "only the held script running");

        await held.SendAsync("y");
        await held.ReadToEndAsync();
        Assert.Equal("started\ndone\n", RawResponse.Parse(held.Received).BodyText);
        Assert.Empty(host.Logs.BlockedLoop);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(15)]
    [InlineData(null)]
    public async Task ScriptsRunAtTheConfiguredNiceValue(int? nice)
    {
        await using var host = await CgiHost.StartAsync(cgi: o => o.ScriptNiceValue = nice);
        using var client = host.CreateClient();
        using var response = await client.PostAsync("/cgi-bin/nice.sh", new StringContent("go\n"), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var serversOwn = File.ReadAllText("/proc/self/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[16];
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(nice?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? serversOwn, lines[0].Trim());
        if (File.Exists("/proc/self/autogroup"))
        {
            // The script's own session is its own autogroup: its nice value is what the kernel weighs against the server.
            Assert.EndsWith($" nice {nice ?? 0}", lines[1].Trim(), StringComparison.Ordinal);
        }
    }
}

using System.Net;
using EventCore.Cgi.Processes;
using EventCore.Cgi.Tests.Support;

namespace EventCore.Cgi.Tests;

/// <summary>
/// After every kind of run (normal, each fault, timeouts with grandchildren, disconnects, 503s, redirects, hundreds at
/// once) the test process has no child left (no zombie), tracks no child, and holds exactly the descriptors it held
/// before. Runs alone, so that nothing else opens descriptors or starts processes meanwhile.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class LeakTests
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task NoChildNoZombieAndNoDescriptorIsLeftAfterEveryKindOfRun()
    {
        // A first host makes what the process creates once (the socket engine's epoll, the SIGCHLD registration).
        await using (var warm = await CgiHost.StartAsync())
        {
            using var client = warm.CreateClient();
            await client.GetStringAsync("/cgi-bin/hello.sh", TestContext.Current.CancellationToken);
            using var echo = await client.PostAsync("/cgi-bin/echo.sh", new Pattern.Content(100_000, chunked: true), TestContext.Current.CancellationToken);
        }

        await ProcessTable.WaitUntilAsync(() => ProcessTable.Children().Count == 0, s_settle, () => "no child before the test: " + string.Join(", ", ProcessTable.Children()));
        var before = ProcessTable.OpenDescriptors();

        // Faults and timeouts on a host with a short timeout, so that hanging scripts are killed quickly; the load on a
        // host with the default timeout, so that two hundred scripts on a slow, busy machine are not killed for being slow.
        await using (var host = await CgiHost.StartAsync(middleware: o => o.Timeout = TimeSpan.FromSeconds(5)))
        {
            await RunFaultsAsync(host);
            await ProcessTable.WaitUntilAsync(() => host.Executor.RunningProcesses == 0, s_settle, () => "every slot released");
        }

        await using (var host = await CgiHost.StartAsync(cgi: o => o.MaxProcesses = 250))
        {
            await RunManyAtOnceAsync(host);
            await ProcessTable.WaitUntilAsync(() => host.Executor.RunningProcesses == 0, s_settle, () => "every slot released");
        }

        await ProcessTable.WaitUntilAsync(
            () => ProcessTable.Children().Count == 0 && ChildReaper.TrackedCount == 0 && ProcessTable.OpenDescriptors().Count == before.Count,
            s_settle,
            () => $"children: [{string.Join(", ", ProcessTable.Children())}], tracked: {ChildReaper.TrackedCount}, " +
                  $"descriptors opened: [{string.Join(", ", ProcessTable.OpenDescriptors().Except(before))}], closed: [{string.Join(", ", before.Except(ProcessTable.OpenDescriptors()))}]");
        Assert.Equal(before.Order(), ProcessTable.OpenDescriptors().Order());
    }

    private static async Task RunFaultsAsync(CgiHost host)
    {
        using var client = host.CreateClient();
        var cancellation = TestContext.Current.CancellationToken;
        async Task<HttpStatusCode> StatusOf(string path)
        {
            using var response = await client.GetAsync(path, cancellation);
            await response.Content.ReadAsByteArrayAsync(cancellation);
            return response.StatusCode;
        }

        var statuses = await Task.WhenAll(
            StatusOf("/cgi-bin/missing.sh"),
            StatusOf("/cgi-bin/noexec.cgi"),
            StatusOf("/cgi-bin/garbage.sh"),
            StatusOf("/cgi-bin/crash.sh"),
            StatusOf("/cgi-bin/silent.sh"),
            StatusOf("/cgi-bin/crash.py"),
            StatusOf("/cgi-bin/hang.sh?leak"),
            StatusOf("/cgi-bin/status.sh"),
            StatusOf("/cgi-bin/local-redirect.sh"),
            StatusOf("/cgi-bin/app-redirect.sh"),
            StatusOf("/cgi-bin/loop.sh"),
            StatusOf("/cgi-bin/toomuch.sh"),
            StatusOf("/cgi-bin/env.php"));
        Assert.Equal(
            [HttpStatusCode.NotFound, HttpStatusCode.Forbidden, HttpStatusCode.BadGateway, HttpStatusCode.BadGateway, HttpStatusCode.BadGateway,
             HttpStatusCode.BadGateway, HttpStatusCode.GatewayTimeout, (HttpStatusCode)418, HttpStatusCode.OK, HttpStatusCode.OK,
             HttpStatusCode.InternalServerError, HttpStatusCode.OK, HttpStatusCode.OK],
            statuses);

        // Aborted responses: a script that dies short of its Content-Length, one that outlives its timeout after its
        // headers, and a client that goes away.
        using (var cutOff = await RawHttp.ConnectAsync(host.Port))
        {
            await cutOff.SendAsync("GET /cgi-bin/toolong.sh HTTP/1.1\r\nHost: t\r\n\r\n");
            await cutOff.ReadToEndAsync();
        }

        using (var late = await RawHttp.ConnectAsync(host.Port))
        {
            await late.SendAsync("GET /cgi-bin/hang-after-headers.sh HTTP/1.1\r\nHost: t\r\n\r\n");
            await late.ReadToEndAsync();
        }

        using (var gone = await RawHttp.ConnectAsync(host.Port))
        {
            await gone.SendAsync("GET /cgi-bin/hang-after-headers.sh HTTP/1.1\r\nHost: t\r\n\r\n");
            await gone.ReadFirstChunkAsync();
            gone.Reset();
        }
    }

    private static async Task RunManyAtOnceAsync(CgiHost host)
    {
        using var client = host.CreateClient();
        var cancellation = TestContext.Current.CancellationToken;

        // Two hundred at once, bodies both ways.
        var many = Enumerable.Range(0, 200).Select(async i =>
        {
            using var response = await client.PostAsync($"/cgi-bin/echo.sh?{i}", new Pattern.Content(10_000, chunked: i % 2 == 0), cancellation);
            return await Pattern.VerifyAsync(await response.Content.ReadAsStreamAsync(cancellation), Pattern.Line);
        });
        Assert.All(await Task.WhenAll(many), length => Assert.Equal(10_000, length));
    }
}

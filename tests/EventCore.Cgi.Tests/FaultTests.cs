using System.Globalization;
using System.Net;
using EventCore.Cgi.Tests.Support;
using Microsoft.Extensions.Logging;

namespace EventCore.Cgi.Tests;

/// <summary>Every fault answered with its status and a log line; killed scripts take their children with them.</summary>
public abstract class FaultTests(ServerKind server)
{
    private static readonly TimeSpan s_shortTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task AMissingScriptIs404()
    {
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var response = await client.GetAsync("/cgi-bin/missing.sh", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task AScriptThatIsNotExecutableIs403()
    {
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var response = await client.GetAsync("/cgi-bin/noexec.cgi", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains(host.Logs.Cgi, l => l.Message.Contains("not executable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AScriptLinkedFromOutsideTheRootIsNotRun()
    {
        await using var host = await CgiHost.StartAsync(server);
        File.CreateSymbolicLink(host.Scripts.PathOf("outside.sh"), "/bin/true");
        using var client = host.CreateClient();
        using var response = await client.GetAsync("/cgi-bin/outside.sh", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("garbage.sh", "not a header field")]
    [InlineData("crash.sh", "signal 11")]
    [InlineData("silent.sh", "exit code 3")]
    public async Task OutputWithoutAValidHeaderBlockIs502(string script, string logged)
    {
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var response = await client.GetAsync("/cgi-bin/" + script, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
        await ProcessTable.WaitUntilAsync(
            () => host.Logs.Cgi.Any(l => l.Level == LogLevel.Warning && l.Message.Contains("no valid header block", StringComparison.Ordinal) && l.Message.Contains(logged, StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10),
            () => $"a 502 log line with \"{logged}\":\n{host.Logs}");
    }

    [Fact]
    public async Task APythonExceptionBeforeTheHeadersIs502WithTheTracebackLogged()
    {
        Programs.Require(Programs.Python);
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var response = await client.GetAsync("/cgi-bin/crash.py", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        await ProcessTable.WaitUntilAsync(
            () => host.Logs.Cgi.Any(l => l.Message.Contains("RuntimeError: boom before any header", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10),
            () => "the traceback in the log:\n" + host.Logs);
    }

    [Fact]
    public async Task AMissingInterpreterIs502()
    {
        await using var host = await CgiHost.StartAsync(server, middleware: o => o.Interpreters[".py"] = "/nonexistent/python");
        using var client = host.CreateClient();
        using var response = await client.GetAsync("/cgi-bin/env.py", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains(host.Logs.Cgi, l => l.Level == LogLevel.Error && l.Message.Contains("/nonexistent/python", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OverTheTimeoutTheWholeProcessGroupIsKilledAnd504()
    {
        await using var host = await CgiHost.StartAsync(server, middleware: o => o.Timeout = s_shortTimeout);
        using var client = host.CreateClient();
        using var response = await client.GetAsync("/cgi-bin/hang.sh?timeout", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var pids = ReadPids(host.Scripts.PathOf("pids-timeout"));
        await ProcessTable.WaitUntilAsync(() => !pids.Any(ProcessTable.IsAlive), TimeSpan.FromSeconds(10), () => $"script and child ({string.Join(", ", pids)}) gone");
        Assert.Contains(host.Logs.Cgi, l => l.Message.Contains("timeout", StringComparison.Ordinal) && l.Message.Contains("answered 504", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OverTheTimeoutAfterTheHeadersTheResponseIsAborted()
    {
        await using var host = await CgiHost.StartAsync(server, middleware: o => o.Timeout = s_shortTimeout);
        using var connection = await RawHttp.ConnectAsync(host.Port);
        await connection.SendAsync("GET /cgi-bin/hang-after-headers.sh HTTP/1.1\r\nHost: t\r\n\r\n");
        await connection.ReadToEndAsync();
        var response = RawResponse.Parse(connection.Received);

        Assert.Equal(200, response.Status);
        Assert.False(response.Complete);
        var pids = ParsePids(response.BodyText);
        await ProcessTable.WaitUntilAsync(() => !pids.Any(ProcessTable.IsAlive), TimeSpan.FromSeconds(10), () => $"script and child ({string.Join(", ", pids)}) gone");
        Assert.Contains(host.Logs.Cgi, l => l.Message.Contains("the response was aborted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AClientThatGoesAwayTakesTheScriptAndItsChildrenWithIt()
    {
        // The default timeout (30 s) is far beyond the wait below: only the disconnect can end the script in time.
        await using var host = await CgiHost.StartAsync(server);
        using var connection = await RawHttp.ConnectAsync(host.Port);
        await connection.SendAsync("GET /cgi-bin/hang-after-headers.sh HTTP/1.1\r\nHost: t\r\n\r\n");
        var pids = ParsePids((await connection.ReadFirstChunkAsync()).BodyText);
        Assert.All(pids, pid => Assert.True(ProcessTable.IsAlive(pid), $"{pid} runs while the client waits"));

        connection.Reset();

        await ProcessTable.WaitUntilAsync(() => !pids.Any(ProcessTable.IsAlive), TimeSpan.FromSeconds(10), () => $"script and child ({string.Join(", ", pids)}) gone after the disconnect");
        await ProcessTable.WaitUntilAsync(() => host.Executor.RunningProcesses == 0, TimeSpan.FromSeconds(10), () => "the process slot released");
    }

    [Theory]
    [InlineData("wait-stdin.sh", false)]
    [InlineData("wait-stdin.sh", true)]
    [InlineData("echo.sh", false)]
    [InlineData("echo.sh", true)]
    public async Task ABodyOverTheServersLimitStopsTheScript(string script, bool chunked)
    {
        await using var host = await CgiHost.StartAsync(server, maxRequestBodySize: 1024 * 1024);
        using var client = host.CreateClient();
        try
        {
            using var response = await client.PostAsync("/cgi-bin/" + script, new Pattern.Content(4L * 1024 * 1024, chunked), TestContext.Current.CancellationToken);
            await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

            // A complete answer can only be the 413 (sent before the script's own answer started).
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }
        catch (HttpRequestException)
        {
            // The script had started its answer: the response is cut off.
        }

        await ProcessTable.WaitUntilAsync(() => host.Executor.RunningProcesses == 0, TimeSpan.FromSeconds(10), () => "the script killed and its slot released:\n" + host.Logs);
    }

    private static int[] ReadPids(string file)
    {
        Assert.True(File.Exists(file), $"The script did not record its pids in {file}.");
        return ParsePids(File.ReadAllText(file));
    }

    private static int[] ParsePids(string text)
    {
        var pids = text.Trim().Split(' ', '\n').Take(2).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(2, pids.Length);
        return pids;
    }
}

/// <summary>On EventCore.</summary>
public sealed class EventCoreFaultTests() : FaultTests(ServerKind.EventCore);

/// <summary>On Kestrel.</summary>
public sealed class KestrelFaultTests() : FaultTests(ServerKind.Kestrel);

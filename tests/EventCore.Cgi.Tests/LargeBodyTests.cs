using System.Net;
using EventCore.Cgi.Tests.Support;

namespace EventCore.Cgi.Tests;

/// <summary>
/// 100 MB into a script and 100 MB out of it, through a real server, with flat memory: every hop waits for the next
/// (client → server → stdin pipe → cat → stdout pipe → server → client), so nothing piles up. The server runs in
/// this process, so its peak resident memory (VmHWM, reset first) is what is measured; the test's own client
/// streams too, so the bound covers both. What is measured is memory held, not garbage waiting for a collection:
/// EventCore's chunked request decoder allocates about 0.75 bytes of short-lived arrays per body byte (its internal
/// pipe rents more 4 KB arrays at once than the shared array pool keeps), and with a gen0 budget above 77 MB on this
/// machine no collection would run during the transfer; so gen0 is collected every 100 ms while it runs.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class LargeBodyTests
{
    private const long Size = 100L * 1024 * 1024;
    private const long AllowedGrowth = 32L * 1024 * 1024;

    [Theory]
    [InlineData(ServerKind.EventCore, false)]
    [InlineData(ServerKind.EventCore, true)]
    [InlineData(ServerKind.Kestrel, false)]
    [InlineData(ServerKind.Kestrel, true)]
    public async Task HundredMegabytesInAndOutOfAScriptWithFlatMemory(ServerKind server, bool chunked)
    {
        await using var host = await CgiHost.StartAsync(server);
        await EchoAsync(host, 8L * 1024 * 1024, chunked);

        GC.Collect();
        ProcessMemory.ResetPeak();
        var baseline = ProcessMemory.Resident;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var collections = GC.CollectionCount(0);
        long length;
        await using (Gen0Collector.Start())
        {
            length = await EchoAsync(host, Size, chunked);
        }

        var growth = ProcessMemory.Peak - baseline;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{server}, chunked={chunked}: 100 MB in and out, peak RSS {growth / 1024 / 1024} MB above {baseline / 1024 / 1024} MB; " +
            $"{allocated / 1024 / 1024} MB allocated, {GC.CollectionCount(0) - collections} gen0 GCs.");
        Assert.Equal(Size, length);
        Assert.True(growth < AllowedGrowth, $"Peak RSS grew by {growth / 1024 / 1024} MB (bound {AllowedGrowth / 1024 / 1024} MB) while 100 MB went through the script.");
    }

    [Theory]
    [InlineData("")]
    [InlineData("&length")]
    public async Task HundredMegabytesOutOfAScriptWithFlatMemory(string withLength)
    {
        await using var host = await CgiHost.StartAsync();
        using var client = host.CreateClient();
        await GenerateAsync(client, 8L * 1024 * 1024, withLength);

        GC.Collect();
        ProcessMemory.ResetPeak();
        var baseline = ProcessMemory.Resident;
        long length;
        await using (Gen0Collector.Start())
        {
            length = await GenerateAsync(client, Size, withLength);
        }

        var growth = ProcessMemory.Peak - baseline;

        TestContext.Current.TestOutputHelper?.WriteLine($"100 MB out{withLength}: peak RSS {growth / 1024 / 1024} MB above {baseline / 1024 / 1024} MB.");
        Assert.Equal(Size, length);
        Assert.True(growth < AllowedGrowth, $"Peak RSS grew by {growth / 1024 / 1024} MB (bound {AllowedGrowth / 1024 / 1024} MB) while a script wrote 100 MB.");
    }

    private static async Task<long> EchoAsync(CgiHost host, long size, bool chunked)
    {
        var (status, length) = await DuplexExchange.PostAsync(host.Port, "/cgi-bin/echo.sh", size, chunked);
        Assert.Equal(200, status);
        return length;
    }

    private static async Task<long> GenerateAsync(HttpClient client, long size, string withLength)
    {
        using var response = await client.GetAsync($"/cgi-bin/generate.sh?{size}{withLength}", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(withLength.Length > 0 ? size : null, response.Content.Headers.ContentLength);
        return await Pattern.VerifyAsync(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken), Pattern.Line);
    }
}

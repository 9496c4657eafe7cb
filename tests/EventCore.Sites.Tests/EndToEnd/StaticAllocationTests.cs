using EventCore.Sites.Tests.Support;
using EventCore.Tests.Shared;
using Microsoft.Extensions.Logging;

namespace EventCore.Sites.Tests.EndToEnd;

/// <summary>
/// A plain static file from the sites allocates (next to) nothing per request, end to end: the Webserv host on
/// EventCore with a console logger at its defaults (the host's own setup: Microsoft.AspNetCore at Warning), real sockets,
/// the process-wide allocation count. The clients are blocking sockets on their own threads that allocate nothing per
/// request. Runs alone (its collection disables parallelization).
/// </summary>
[Collection(nameof(StaticAllocationTests))]
public sealed class StaticAllocationTests
{
    private const int Connections = 2;
    private const int WarmUpRequests = 5_000;
    private const int MeasuredRequests = 20_000;

    /// <summary>Allowed per request: background work of the process (timers, the guard's samples) spread over the run.</summary>
    private const double BytesPerRequestBound = 1.0;

    [Fact]
    public async Task Plain_get_of_a_static_file_allocates_nothing()
    {
        const string path = "/static-600.txt";
#if DEBUG
        Assert.Skip("Run in Release (test.sh does): Debug builds compile async state machines as classes, one allocation per call.");
#endif
        using var site = new TempFolder();
        site.Write("www/static-600.txt", new string('x', 600));
        await using var server = await WebservServer.StartAsync(
            site,
            "server {\n listen 127.0.0.1:{PORT0};\n server_name default.test;\n root {SITE}/www;\n}\n",
            builder => builder.Logging.AddConsole());
        var clients = Enumerable.Range(0, Connections)
            .Select(_ => RoundTripClient.Connect(server.Ports[0], $"GET {path} HTTP/1.1\r\nHost: default.test\r\n\r\n")).ToList();
        try
        {
            WireAllocationProbe.AssertBytesPerRequestBelow(clients, WarmUpRequests, MeasuredRequests, BytesPerRequestBound, path);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }
}

[CollectionDefinition(nameof(StaticAllocationTests), DisableParallelization = true)]
public sealed class StaticAllocationTestsRunAlone;

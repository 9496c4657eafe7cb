using System.Net;
using EventCore.FunctionalTests.Infrastructure;

namespace EventCore.FunctionalTests.Parity;

/// <summary>
/// The Kestrel features EventCore matches (limits, header encodings, Transfer-Encoding, trailers, graceful stop), each
/// case run on EventCore and on Kestrel with the same settings, so the assertion is shown to be Kestrel's behaviour
/// (or, where EventCore deliberately differs or goes further, the difference is asserted for both).
/// </summary>
public sealed partial class KestrelParityTests(TestWebRoot webRoot)
{
    private const int TestTimeout = 60_000;

    /// <summary>EventCore on both transports, and Kestrel.</summary>
    public static TheoryData<ServerKind> Servers => [ServerKind.EventCoreEpoll, ServerKind.EventCoreSockets, ServerKind.Kestrel];

    /// <summary>EventCore on its default transport, and Kestrel (for cases the transport cannot change).</summary>
    public static TheoryData<ServerKind> EpollAndKestrel => [ServerKind.EventCoreEpoll, ServerKind.Kestrel];

    private static async Task<RawResponse> RoundTripAsync(ParityHost host, string request, CancellationToken cancellationToken)
    {
        using var connection = await RawConnection.ConnectAsync(host.EndPoint, cancellationToken);
        await connection.SendAsync(request, cancellationToken);
        return await connection.ReadResponseAsync(cancellationToken);
    }

    private static HttpClient CreateClient(ParityHost host) => new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false })
    {
        BaseAddress = new Uri($"http://{host.EndPoint}"),
        Timeout = TimeSpan.FromSeconds(50),
    };

    private static async Task AssertRefusedAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var got = await RawConnection.WaitUntilRefusedAsync(endPoint, TimeSpan.FromSeconds(20), cancellationToken);
        Assert.True(got is null, $"A new connection must be refused; got {got}.");
    }
}

using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using EventCore.FunctionalTests.Infrastructure;

namespace EventCore.FunctionalTests;

/// <summary>
/// The functional suite: the sample app (and a tiny in-test app for what the sample lacks) over real
/// sockets on 127.0.0.1, driven by HttpClient and by raw TCP transcripts. Each concrete class runs the
/// whole suite on one server/transport; <see cref="KestrelReferenceTests"/> runs it on plain Kestrel to
/// show that the assertions are real HTTP semantics. Where EventCore deliberately differs, a virtual
/// property says what to expect, or the case is EventCore-only.
/// </summary>
public abstract partial class HttpConformanceTests(ServerHosts hosts, TestWebRoot webRoot)
{
    /// <summary>Upper bound for one test: generous for a loaded 2-core machine, still bounded.</summary>
    protected const int TestTimeout = 30_000;

    /// <summary>How long to wait for the server to close a connection it should close.</summary>
    protected static TimeSpan CloseTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>The suite's server.</summary>
    protected ServerKind Server => hosts.Server;

    /// <summary>Whether the suite runs EventCore (EventCore-only cases are skipped otherwise).</summary>
    protected virtual bool IsEventCore => true;

    /// <summary>The <c>Server</c> header the server sends.</summary>
    protected virtual string ExpectedServerHeader => "EventCore";

    /// <summary>The sample app as shipped.</summary>
    protected Task<IPEndPoint> DefaultAppAsync() => hosts.GetDefaultAsync(webRoot);

    /// <summary>The sample app with <see cref="ServerHosts.SmallLimits"/>.</summary>
    protected Task<IPEndPoint> LimitedAppAsync() => hosts.GetLimitedAsync(webRoot);

    /// <summary>The shared web root (expected static contents, large file hash).</summary>
    protected TestWebRoot WebRoot => webRoot;

    /// <summary>A raw connection to the sample app as shipped.</summary>
    protected async Task<RawConnection> ConnectAsync(CancellationToken cancellationToken) =>
        await RawConnection.ConnectAsync(await DefaultAppAsync(), cancellationToken);

    /// <summary>Skips the case unless the suite runs EventCore.</summary>
    protected void RequireEventCore(string reason) => Assert.SkipUnless(IsEventCore, "EventCore-only: " + reason);

    /// <summary>
    /// An HttpClient on SocketsHttpHandler with cookies and redirects off, counting the TCP connections it opens.
    /// </summary>
    protected static HttpClient CreateClient(IPEndPoint endPoint, StrongBox<int>? connections = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = async (context, cancellationToken) =>
            {
                if (connections is not null)
                {
                    Interlocked.Increment(ref connections.Value);
                }

                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler)
        {
            BaseAddress = new Uri($"http://{endPoint}"),
            Timeout = TimeSpan.FromSeconds(25),
        };
    }

    /// <summary>Reads the response and asserts the server then closes the connection, as after any framing error.</summary>
    protected static async Task<RawResponse> ReadErrorAndCloseAsync(RawConnection connection, int expectedStatus, CancellationToken cancellationToken)
    {
        var response = await connection.ReadResponseAsync(cancellationToken);
        Assert.True(expectedStatus == response.StatusCode, $"Expected {expectedStatus}, got:\n{response}");
        AssertContentLengthMatchesBody(response);
        Assert.True(response.HasConnectionOption("close"), $"Expected 'Connection: close' on a response before closing:\n{response}");
        Assert.True(await connection.WaitForServerCloseAsync(CloseTimeout, cancellationToken), $"The server did not close the connection after:\n{response}");
        return response;
    }

    /// <summary>Asserts a non-chunked response states a Content-Length equal to its body.</summary>
    protected static void AssertContentLengthMatchesBody(RawResponse response)
    {
        Assert.False(response.IsChunked, $"Expected a Content-Length response, got chunked:\n{response}");
        Assert.True(response["Content-Length"] is not null, $"Expected a Content-Length header:\n{response}");
        Assert.Equal(response.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response["Content-Length"]);
    }
}

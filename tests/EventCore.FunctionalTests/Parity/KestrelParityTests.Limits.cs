using System.Net;
using System.Net.WebSockets;
using EventCore.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace EventCore.FunctionalTests.Parity;

/// <summary>MaxConcurrentConnections and MaxConcurrentUpgradedConnections, with real clients.</summary>
public sealed partial class KestrelParityTests
{
    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(EpollAndKestrel))]
    public async Task WebSockets_beyond_MaxConcurrentUpgradedConnections_are_refused_until_one_closes(ServerKind server)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ParityHost.StartAsync(server, new ParitySettings { MaxConcurrentUpgradedConnections = 1 }, MapEcho, ct);
        var uri = new Uri($"ws://{host.EndPoint}/ws");

        using var first = new ClientWebSocket();
        await first.ConnectAsync(uri, ct);
        await AssertEchoAsync(first, "first", ct);

        // Over the limit: the server cannot upgrade, the app's AcceptWebSocketAsync throws, the handshake gets a 500.
        using (var second = new ClientWebSocket())
        {
            second.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() => second.ConnectAsync(uri, ct));
            Assert.Equal(HttpStatusCode.InternalServerError, second.HttpStatusCode);
        }

        // Plain requests are not affected.
        using (var client = CreateClient(host))
        {
            Assert.Equal("plain", await client.GetStringAsync("/plain", ct));
        }

        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", ct);
        using var third = await ConnectWhenFreeAsync(uri, ct);
        await AssertEchoAsync(third, "third", ct);
        await third.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", ct);
    }

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(EpollAndKestrel))]
    public async Task An_upgraded_connection_does_not_count_against_MaxConcurrentConnections(ServerKind server)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ParityHost.StartAsync(server, new ParitySettings { MaxConcurrentConnections = 1 }, MapEcho, ct);

        using var socket = await ConnectWhenFreeAsync(new Uri($"ws://{host.EndPoint}/ws"), ct);
        await AssertEchoAsync(socket, "upgraded", ct);

        // The only connection slot was given back on upgrade: a plain request gets in.
        using var connection = await RawConnection.ConnectAsync(host.EndPoint, ct);
        await connection.SendAsync("GET /plain HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
        Assert.Equal("plain", (await connection.ReadResponseAsync(ct)).BodyText);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", ct);
    }

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(EpollAndKestrel))]
    public async Task By_default_a_connection_over_MaxConcurrentConnections_is_closed_without_a_response(ServerKind server)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ParityHost.StartAsync(server, new ParitySettings { MaxConcurrentConnections = 1 }, MapEcho, ct);
        using var admitted = await RawConnection.ConnectAsync(host.EndPoint, ct);
        await admitted.SendAsync("GET /plain HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
        Assert.Equal(200, (await admitted.ReadResponseAsync(ct)).StatusCode);

        // Closed (FIN) or reset — a reset can even beat the end of connect: either way, not one byte of a response.
        byte[] received = [];
        var error = await Record.ExceptionAsync(async () =>
        {
            using var refused = await RawConnection.ConnectAsync(host.EndPoint, ct);
            await Record.ExceptionAsync(() => refused.SendAsync("GET /plain HTTP/1.1\r\nHost: localhost\r\n\r\n", ct));
            received = await refused.ReadToEndAsync(ct);
        });
        Assert.True(error is null or System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionReset } or IOException, error?.ToString());
        Assert.Empty(received);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task EventCore_can_answer_a_connection_over_the_limit_with_503_which_HttpClient_sees()
    {
        // Kestrel has no such option (it always closes silently); this is what its users ask for.
        var ct = TestContext.Current.CancellationToken;
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.WebHost.UseServer(ServerKind.EventCoreEpoll, limits: null).UseUrls(ServerSetup.AnyLoopbackPort);
        TestLogging.Configure(builder.Logging);
        builder.Services.Configure<EventCore.Server.EventCoreServerOptions>(o =>
        {
            o.Limits.MaxConcurrentConnections = 1;
            o.Limits.RejectedConnectionStatusCode = 503;
        });
        await using var app = builder.Build();
        app.MapGet("/plain", () => "plain");
        await app.StartAsync(ct);
        var endPoint = ServerSetup.GetListeningEndPoint(app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>(), ServerKind.EventCoreEpoll);
        using var admitted = await RawConnection.ConnectAsync(endPoint, ct);
        await admitted.SendAsync("GET /plain HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
        Assert.Equal(200, (await admitted.ReadResponseAsync(ct)).StatusCode);

        using var client = new HttpClient { BaseAddress = new Uri($"http://{endPoint}") };
        using var response = await client.GetAsync("/plain", ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.ConnectionClose);
    }

    private static void MapEcho(WebApplication app)
    {
        app.UseWebSockets();
        app.MapGet("/plain", () => "plain");
        app.Map("/ws", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, context.RequestAborted);
            }
        });
    }

    private static async Task AssertEchoAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken)
    {
        await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancellationToken);
        var buffer = new byte[1024];
        var result = await socket.ReceiveAsync(buffer, cancellationToken);
        Assert.Equal(text, System.Text.Encoding.UTF8.GetString(buffer, 0, result.Count));
    }

    /// <summary>A slot freed by a closing WebSocket is seen by the server a moment later: retry, bounded (generously, for a stalled machine).</summary>
    private static async Task<ClientWebSocket> ConnectWhenFreeAsync(Uri uri, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var socket = new ClientWebSocket();
            try
            {
                await socket.ConnectAsync(uri, cancellationToken);
                return socket;
            }
            catch (WebSocketException) when (DateTime.UtcNow < deadline)
            {
                socket.Dispose();
                await Task.Delay(50, cancellationToken);
            }
        }
    }
}

using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventCore.Server.Tests;

public class WebSocketTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WebSocket_echo_through_UseWebSockets(bool defaultTransport)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseEventCore(o =>
        {
            o.Urls.Add("http://127.0.0.1:0");
            if (!defaultTransport)
            {
                o.TransportFactory = sp => new SocketTransportFactory(Options.Create(new SocketTransportOptions()), sp.GetRequiredService<ILoggerFactory>());
            }
        });
        await using var app = builder.Build();
        app.UseWebSockets();
        app.Map("/ws", async (HttpContext ctx) =>
        {
            using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, ctx.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", ctx.RequestAborted);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, ctx.RequestAborted);
            }
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var port = new Uri(app.Urls.First()).Port;

        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws"), TestContext.Current.CancellationToken);
        foreach (var text in new[] { "hello", "world", new string('x', 5000) })
        {
            await client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
            var received = new StringBuilder();
            var buffer = new byte[8192];
            WebSocketReceiveResult result;
            do
            {
                result = await client.ReceiveAsync(buffer, TestContext.Current.CancellationToken);
                received.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            }
            while (!result.EndOfMessage);
            Assert.Equal(text, received.ToString());
        }

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", TestContext.Current.CancellationToken);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }
}

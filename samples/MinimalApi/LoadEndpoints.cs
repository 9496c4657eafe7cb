using System.Net.WebSockets;

namespace MinimalApi;

/// <summary>
/// Endpoints for load, soak and attack runs (perf/): a generated response of any size and a WebSocket echo.
/// <c>/bytes/{size}</c> is short-circuited like the TechEmpower shapes; <c>/ws/echo</c> needs the WebSockets
/// middleware, which runs after routing so the short-circuited endpoints never pay for it.
/// </summary>
internal static class LoadEndpoints
{
    /// <summary>Largest generated response: 1 GiB.</summary>
    private const long MaxBytes = 1L << 30;

    private static readonly byte[] s_block = CreateBlock();

    public static IEndpointRouteBuilder MapLoadEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/bytes/{size:long}", Bytes).ShortCircuit();
        app.Map("/ws/echo", EchoWebSocket);
        return app;
    }

    /// <summary>
    /// <paramref name="size"/> bytes of a repeating pattern (byte i is i mod 251), written in 64 KiB pieces with a
    /// Content-Length, so a client can check every byte and the server holds no more than a block per response.
    /// </summary>
    private static async Task Bytes(HttpContext context, long size)
    {
        if (size is < 0 or > MaxBytes)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = size;
        for (long sent = 0; sent < size;)
        {
            var offset = (int)(sent % 251);
            var count = (int)Math.Min(size - sent, s_block.Length - 251);
            await context.Response.Body.WriteAsync(s_block.AsMemory(offset, count), context.RequestAborted);
            sent += count;
        }
    }

    /// <summary>Echoes every message back until the client closes.</summary>
    private static async Task EchoWebSocket(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("WebSocket requests only.\n", context.RequestAborted);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[16 * 1024];
        try
        {
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
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away mid-conversation: nothing left to answer.
            context.Abort();
        }
    }

    private static byte[] CreateBlock()
    {
        // 64 KiB + 251: any offset 0..250 still leaves 64 KiB of pattern to write from.
        var block = new byte[(64 * 1024) + 251];
        for (var i = 0; i < block.Length; i++)
        {
            block[i] = (byte)(i % 251);
        }

        return block;
    }

}

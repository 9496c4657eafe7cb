using System.Collections.Concurrent;
using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace EventCore.Server.Tests;

/// <summary>
/// "Funky chunks": chunked framing that two HTTP/1.1 implementations may read differently — lone LF or CR inside
/// chunk extensions and size lines (the class behind Kestrel's CVE-2025-55315), oversized and overflowing sizes,
/// extension abuse, a bad data terminator. Sent over raw TCP to the real server, each followed by a request that a
/// lax front end would see as a second, smuggled one: the answer must be one 400 with <c>Connection: close</c>, the
/// connection closed, and the smuggled request never reaching the app.
/// </summary>
public class FunkyChunksTests
{
    private const string Head = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    private const string Smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

    [Theory]
    // Lone LF / CR as the end of a size line, or inside its extensions (TERM.EXT, EXT.TERM and friends).
    [InlineData("2\nxx\r\n0\r\n\r\n")]
    [InlineData("2\rxx\r\n0\r\n\r\n")]
    [InlineData("2;\nxx\r\n0\r\n\r\n")]
    [InlineData("2;a\nxx\r\n0\r\n\r\n")]
    [InlineData("2;a\rxx\r\n0\r\n\r\n")]
    [InlineData("2;a\rb\r\nxx\r\n0\r\n\r\n")]
    [InlineData("2;a=b\nxx\r\n0\r\n\r\n")]
    [InlineData("2;a=\"b\nc\"\r\nxx\r\n0\r\n\r\n")]
    [InlineData("2;a=\"b\rc\"\r\nxx\r\n0\r\n\r\n")]
    [InlineData("2;a\n\r\nxx\r\n0\r\n\r\n")]
    [InlineData("2\r\r\nxx\r\n0\r\n\r\n")]
    [InlineData("0\n\r\n")]
    [InlineData("0;a\n\r\n")]
    [InlineData("0\r\n\n")]
    [InlineData("0\r\nX: y\n\r\n")]
    [InlineData("0\r\nX: y\r\r\n\r\n")]
    // Lone LF / CR (or nothing) as the end of chunk data.
    [InlineData("2\r\nxx\n0\r\n\r\n")]
    [InlineData("2\r\nxx\r0\r\n\r\n")]
    [InlineData("2\r\nxx0\r\n\r\n")]
    [InlineData("2\r\nxxx\r\n0\r\n\r\n")]
    // Oversized and overflowing sizes, signs, prefixes, whitespace.
    [InlineData("ffffffffffffffffff\r\nxx\r\n0\r\n\r\n")]
    [InlineData("10000000000000000\r\nxx\r\n0\r\n\r\n")]
    [InlineData("8000000000000000\r\nxx\r\n0\r\n\r\n")]
    [InlineData("00000000000000000002\r\nxx\r\n0\r\n\r\n")]
    [InlineData("-2\r\nxx\r\n0\r\n\r\n")]
    [InlineData("+2\r\nxx\r\n0\r\n\r\n")]
    [InlineData("0x2\r\nxx\r\n0\r\n\r\n")]
    [InlineData(" 2\r\nxx\r\n0\r\n\r\n")]
    [InlineData("2 \r\nxx\r\n0\r\n\r\n")]
    [InlineData("2\0\r\nxx\r\n0\r\n\r\n")]
    [InlineData("\r\nxx\r\n0\r\n\r\n")]
    // Extension abuse.
    [InlineData("2;\r\nxx\r\n0\r\n\r\n")]
    [InlineData("2;=v\r\nxx\r\n0\r\n\r\n")]
    [InlineData("2;a=b c\r\nxx\r\n0\r\n\r\n")]
    [InlineData("2;a=\"unterminated\r\nxx\r\n0\r\n\r\n")]
    [InlineData("2;a=\u0001\r\nxx\r\n0\r\n\r\n")]
    [InlineData("2;a=\"\u007f\"\r\nxx\r\n0\r\n\r\n")]
    [InlineData("2;a\u0080\r\nxx\r\n0\r\n\r\n")]
    public async Task Funky_chunk_framing_is_400_and_close(string body)
    {
        await AssertRejectedAsync(body);
    }

    [Fact]
    public async Task A_size_line_over_4_KiB_of_extensions_is_400_and_close()
    {
        await AssertRejectedAsync("2;" + string.Join(';', Enumerable.Repeat("a=b", 1400)) + "\r\nxx\r\n0\r\n\r\n");
    }

    [Fact]
    public async Task An_endless_size_line_is_refused_before_it_ends()
    {
        // Never a CRLF: the server must not wait (or buffer) for the end of the line.
        await AssertRejectedAsync("2;" + new string('a', 8000));
    }

    [Fact]
    public async Task A_valid_chunked_body_with_extensions_still_works()
    {
        var paths = new ConcurrentQueue<string>();
        await using var host = await ServerHost.StartAsync(ctx => ReadBodyAsync(ctx, paths));
        using var client = await host.ConnectAsync();

        await client.SendAsync(Head + "2;a=b;c=\"d;e\"\r\nxx\r\n0\r\n\r\n" + Smuggled);

        Assert.Equal("read 2", (await client.ReadResponseAsync()).Body);
        Assert.Equal("read 0", (await client.ReadResponseAsync()).Body);
        Assert.Equal(["/upload", "/smuggled"], paths);
    }

    private static async Task AssertRejectedAsync(string body)
    {
        var paths = new ConcurrentQueue<string>();
        await using var host = await ServerHost.StartAsync(ctx => ReadBodyAsync(ctx, paths));
        using var client = await host.ConnectAsync();

        await client.SendAsync(Head + body + Smuggled);

        var response = await client.ReadResponseAsync();
        Assert.Equal(400, response.StatusCode);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
        Assert.Equal(["/upload"], paths);
    }

    private static async Task ReadBodyAsync(HttpContext ctx, ConcurrentQueue<string> paths)
    {
        paths.Enqueue(ctx.Request.Path.Value!);
        var length = 0L;
        var buffer = new byte[4096];
        int read;
        while ((read = await ctx.Request.Body.ReadAsync(buffer)) > 0)
        {
            length += read;
        }

        await ctx.Response.WriteAsync($"read {length}");
    }
}

using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace EventCore.Server.Tests;

/// <summary>
/// A <c>Transfer-Encoding</c> response header set by the app: chunked means the server chunks (the app's bytes are
/// content, never framing), another final coding is close-delimited, none on 1xx/204/304, never to HTTP/1.0.
/// </summary>
public class AppTransferEncodingTests
{
    private const string Framing = "0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged";

    [Fact]
    public async Task Chunked_set_by_the_app_is_applied_by_the_server_and_keeps_the_connection_alive()
    {
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            ctx.Response.Headers.TransferEncoding = "chunked";
            await ctx.Response.WriteAsync("hel");
            await ctx.Response.Body.FlushAsync();
            await ctx.Response.WriteAsync("lo");
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");

        var first = await client.ReadResponseAsync();
        var second = await client.ReadResponseAsync();

        Assert.True(first.WasChunked);
        Assert.Equal("hello", first.Body);
        Assert.Single(first.Headers, h => h.Name == "Transfer-Encoding");
        Assert.Null(first.Header("Connection"));
        Assert.Equal("hello", second.Body);
    }

    [Fact]
    public async Task App_content_that_looks_like_framing_stays_content()
    {
        await using var host = await ServerHost.StartAsync(ctx =>
        {
            ctx.Response.Headers.TransferEncoding = "chunked";
            return ctx.Response.WriteAsync(ctx.Request.Path == "/forge" ? Framing : "next");
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET /forge HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(Framing, (await client.ReadResponseAsync()).Body);
        Assert.Equal("next", (await client.ReadResponseAsync()).Body);
    }

    [Fact]
    public async Task Gzip_then_chunked_is_sent_as_set_and_chunked_by_the_server()
    {
        await using var host = await ServerHost.StartAsync(ctx =>
        {
            ctx.Response.Headers.TransferEncoding = "gzip, chunked";
            return ctx.Response.WriteAsync("already-gzipped-bytes");
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.Equal("gzip, chunked", response.Header("Transfer-Encoding"));
        Assert.Equal("already-gzipped-bytes", response.Body);
    }

    [Fact]
    public async Task A_content_length_set_along_with_chunked_is_not_sent()
    {
        await using var host = await ServerHost.StartAsync(ctx =>
        {
            ctx.Response.Headers.TransferEncoding = "chunked";
            ctx.Response.ContentLength = 5;
            return ctx.Response.WriteAsync("hello");
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.Null(response.Header("Content-Length"));
        Assert.True(response.WasChunked);
        Assert.Equal("hello", response.Body);
    }

    [Fact]
    public async Task Another_final_coding_ends_the_body_by_closing_the_connection()
    {
        await using var host = await ServerHost.StartAsync(ctx =>
        {
            ctx.Response.Headers.TransferEncoding = "gzip";
            return ctx.Response.WriteAsync("raw-coded");
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.Equal("gzip", response.Header("Transfer-Encoding"));
        Assert.Equal("close", response.Header("Connection"));
        Assert.Equal("raw-coded", response.Body); // read to the close
    }

    [Fact]
    public async Task Http10_never_gets_a_transfer_encoding()
    {
        await using var host = await ServerHost.StartAsync(ctx =>
        {
            ctx.Response.Headers.TransferEncoding = "chunked";
            return ctx.Response.WriteAsync("old client");
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.0\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.Null(response.Header("Transfer-Encoding"));
        Assert.False(response.WasChunked);
        Assert.Equal("old client", response.Body);
    }

    [Fact]
    public async Task Head_keeps_the_header_and_sends_no_body()
    {
        await using var host = await ServerHost.StartAsync(ctx =>
        {
            ctx.Response.Headers.TransferEncoding = "chunked";
            return Task.CompletedTask;
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");

        var head = await client.ReadResponseAsync(headRequest: true);
        var get = await client.ReadResponseAsync();

        Assert.Equal("chunked", head.Header("Transfer-Encoding"));
        Assert.Equal(200, get.StatusCode);
        Assert.True(get.WasChunked);
    }

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    public async Task On_a_status_without_a_body_it_throws_to_the_app_and_ends_in_500(int status)
    {
        var seenByApp = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            ctx.Response.StatusCode = status;
            ctx.Response.Headers.TransferEncoding = "chunked";
            if (ctx.Request.Path == "/start")
            {
                seenByApp.TrySetResult(await Record.ExceptionAsync(() => ctx.Response.StartAsync(TestContext.Current.CancellationToken)));
            }
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET /start HTTP/1.1\r\nHost: x\r\n\r\nGET /end HTTP/1.1\r\nHost: x\r\n\r\n");

        var started = await client.ReadResponseAsync();
        var ended = await client.ReadResponseAsync();

        Assert.IsType<InvalidOperationException>(await seenByApp.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal((500, "0"), (started.StatusCode, started.Header("Content-Length")));
        Assert.Equal((500, "0"), (ended.StatusCode, ended.Header("Content-Length")));
        Assert.Null(ended.Header("Transfer-Encoding"));
        Assert.Contains(host.Logs.Records, r => r.Exception is InvalidOperationException e && e.Message.Contains("Transfer-Encoding", StringComparison.Ordinal));
    }
}

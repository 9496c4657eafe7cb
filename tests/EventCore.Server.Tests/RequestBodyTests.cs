using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Tests;

public class RequestBodyTests
{
    private static async Task ReadAll(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body);
        var body = await reader.ReadToEndAsync();
        await ctx.Response.WriteAsync($"read {body.Length}");
    }

    [Fact]
    public async Task Content_length_over_the_limit_is_413_and_close()
    {
        await using var host = await ServerHost.StartAsync(ReadAll, o => o.Limits.MaxRequestBodySize = 10);
        using var client = await host.ConnectAsync();
        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n01234567890");
        var response = await client.ReadResponseAsync();
        Assert.Equal(413, response.StatusCode);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_413()
    {
        await using var host = await ServerHost.StartAsync(ReadAll, o => o.Limits.MaxRequestBodySize = 10);
        using var client = await host.ConnectAsync();
        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n6\r\n012345\r\n0\r\n\r\n");
        Assert.Equal(413, (await client.ReadResponseAsync()).StatusCode);
    }

    [Fact]
    public async Task The_limit_can_be_raised_per_request_until_the_body_is_read()
    {
        Exception? lateSet = null;
        await using var host = await ServerHost.StartAsync(
            async ctx =>
            {
                var feature = ctx.Features.Get<IHttpMaxRequestBodySizeFeature>()!;
                Assert.False(feature.IsReadOnly);
                feature.MaxRequestBodySize = 100;
                await ReadAll(ctx);
                Assert.True(feature.IsReadOnly);
                lateSet = Record.Exception(() => feature.MaxRequestBodySize = 5);
            },
            o => o.Limits.MaxRequestBodySize = 10);
        using var client = await host.ConnectAsync();
        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n" + new string('a', 50));
        var response = await client.ReadResponseAsync();
        Assert.Equal("read 50", response.Body);
        Assert.IsType<InvalidOperationException>(lateSet);
    }

    [Fact]
    public async Task Continue_is_sent_only_when_the_body_is_read()
    {
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            if (ctx.Request.Path == "/read")
            {
                await ReadAll(ctx);
            }
            else
            {
                await ctx.Response.WriteAsync("not read");
            }
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("POST /read HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
        var interim = await client.ReadResponseAsync();
        Assert.Equal("HTTP/1.1 100 Continue", interim.StatusLine);
        await client.SendAsync("abc");
        Assert.Equal("read 3", (await client.ReadResponseAsync()).Body);

        using var second = await host.ConnectAsync();
        await second.SendAsync("POST /skip HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
        var response = await second.ReadResponseAsync();
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("not read", response.Body);
        Assert.Equal("close", response.Header("Connection"));
    }

    [Fact]
    public async Task Continue_is_not_sent_when_the_body_is_already_too_large()
    {
        await using var host = await ServerHost.StartAsync(ReadAll, o => o.Limits.MaxRequestBodySize = 10);
        using var client = await host.ConnectAsync();
        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n");
        Assert.Equal(413, (await client.ReadResponseAsync()).StatusCode);
    }

    [Fact]
    public async Task Truncated_body_throws_to_the_reader()
    {
        var failure = new TaskCompletionSource<Exception>();
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            try
            {
                await ReadAll(ctx);
            }
            catch (Exception ex)
            {
                failure.TrySetResult(ex);
                throw;
            }
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
        client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        var ex = await failure.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(400, Assert.IsType<BadHttpRequestException>(ex).StatusCode);
    }

    [Fact]
    public async Task Unread_body_is_drained_before_the_next_request()
    {
        await using var host = await ServerHost.StartAsync(ctx => ctx.Response.WriteAsync($"at {ctx.Request.Path.Value}"));
        using var client = await host.ConnectAsync();
        await client.SendAsync("POST /one HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            + "POST /two HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /three HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("at /one", (await client.ReadResponseAsync()).Body);
        Assert.Equal("at /two", (await client.ReadResponseAsync()).Body);
        Assert.Equal("at /three", (await client.ReadResponseAsync()).Body);
    }

    [Fact]
    public async Task Trailers_are_available_after_the_body()
    {
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            var trailers = ctx.Features.Get<IHttpRequestTrailersFeature>()!;
            var before = trailers.Available;
            await ReadAll(ctx);
            await ctx.Response.WriteAsync($"|{before}|{trailers.Available}|{trailers.Trailers["X-Sum"]}");
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 42\r\n\r\n");
        Assert.Equal("read 3|False|True|42", (await client.ReadResponseAsync()).Body);
    }

    [Fact]
    public async Task Body_reader_is_zero_copy_and_can_have_body_is_reported()
    {
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            var canHaveBody = ctx.Features.Get<IHttpRequestBodyDetectionFeature>()!.CanHaveBody;
            var total = 0L;
            while (true)
            {
                var result = await ctx.Request.BodyReader.ReadAsync();
                total += result.Buffer.Length;
                ctx.Request.BodyReader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            await ctx.Response.WriteAsync($"{canHaveBody} {total}");
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcdGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("True 4", (await client.ReadResponseAsync()).Body);
        Assert.Equal("False 0", (await client.ReadResponseAsync()).Body);
    }
}

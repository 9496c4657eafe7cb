using System.Net;
using System.Text;
using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Tests;

public class BasicRequestTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static Task Plaintext(HttpContext context)
    {
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = 13;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync("Hello, World!"u8.ToArray()).AsTask();
    }

    /// <summary>Echoes method, path, query and the request body (read with the stream) in a chunked response.</summary>
    internal static async Task Echo(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        await context.Response.WriteAsync($"{context.Request.Method} {context.Request.Path.Value}{context.Request.QueryString} [{body}]");
    }

    [Fact]
    public async Task Get_plaintext_over_a_raw_socket()
    {
        await using var host = await ServerHost.StartAsync(Plaintext);
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.Equal("Hello, World!", response.Body);
        Assert.Equal("13", response.Header("Content-Length"));
        Assert.Equal("text/plain", response.Header("Content-Type"));
        Assert.Equal("EventCore", response.Header("Server"));
        Assert.NotNull(response.Header("Date"));
        Assert.Null(response.Header("Connection"));
    }

    [Fact]
    public async Task Features_replaced_by_the_app_last_one_request_and_a_wrong_type_is_refused()
    {
        await using var host = await ServerHost.StartAsync(ctx =>
        {
            var features = ctx.Features;
            var own = features.Get<IHttpRequestIdentifierFeature>()!;
            var text = $"{own.GetType().Name}";
            if (ctx.Request.Path == "/replace")
            {
                features.Set<IHttpRequestIdentifierFeature>(new HttpRequestIdentifierFeature { TraceIdentifier = "mine" });
                features[typeof(IHttpConnectionFeature)] = new HttpConnectionFeature { ConnectionId = "conn" };
                text += $" {features.Get<IHttpRequestIdentifierFeature>()!.TraceIdentifier} {features.Get<IHttpConnectionFeature>()!.ConnectionId}";
                var wrongType = Assert.Throws<ArgumentException>(() => features[typeof(IHttpResponseFeature)] = new HttpConnectionFeature());
                text += $" {wrongType.ParamName}";
            }

            return ctx.Response.WriteAsync(text);
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET /replace HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n");
        var replaced = (await client.ReadResponseAsync()).Body;
        var serverFeature = replaced.Split(' ')[0];
        Assert.NotEqual(nameof(HttpRequestIdentifierFeature), serverFeature);
        Assert.Equal($"{serverFeature} mine conn value", replaced);
        Assert.Equal(serverFeature, (await client.ReadResponseAsync()).Body); // the next request has the server's own again
    }

    [Fact]
    public async Task Get_with_HttpClient()
    {
        await using var host = await ServerHost.StartAsync(Plaintext);
        using var http = host.CreateClient();
        Assert.Equal("Hello, World!", await http.GetStringAsync(new Uri("/plaintext", UriKind.Relative), Ct));
    }

    [Fact]
    public async Task Head_has_the_get_headers_and_no_body()
    {
        await using var host = await ServerHost.StartAsync(Plaintext);
        using var client = await host.ConnectAsync();
        await client.SendAsync("HEAD /plaintext HTTP/1.1\r\nHost: x\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        var head = await client.ReadResponseAsync(headRequest: true);
        Assert.Equal(200, head.StatusCode);
        Assert.Equal("13", head.Header("Content-Length"));
        var get = await client.ReadResponseAsync();
        Assert.Equal("Hello, World!", get.Body);
    }

    [Fact]
    public async Task Head_ignores_body_writes()
    {
        await using var host = await ServerHost.StartAsync(ctx => ctx.Response.WriteAsync("ignored"));
        using var client = await host.ConnectAsync();
        await client.SendAsync("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n");
        var head = await client.ReadResponseAsync(headRequest: true);
        Assert.Equal(200, head.StatusCode);
        Assert.Null(head.Header("Content-Length"));
        var get = await client.ReadResponseAsync();
        Assert.Equal("ignored", get.Body);
    }

    [Fact]
    public async Task Post_with_content_length_body_and_query()
    {
        await using var host = await ServerHost.StartAsync(Echo);
        using var client = await host.ConnectAsync();
        await client.SendAsync("POST /echo/a%20b?x=1&y=%20 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
        var response = await client.ReadResponseAsync();
        Assert.Equal("POST /echo/a b?x=1&y=%20 [hello]", response.Body);
        Assert.True(response.WasChunked);
    }

    [Fact]
    public async Task Post_with_HttpClient_and_a_large_body()
    {
        await using var host = await ServerHost.StartAsync(Echo);
        using var http = host.CreateClient();
        var payload = new string('z', 300_000);
        var response = await http.PostAsync(new Uri("/big", UriKind.Relative), new StringContent(payload), Ct);
        Assert.Equal($"POST /big [{payload}]", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Chunked_request_body_is_decoded()
    {
        await using var host = await ServerHost.StartAsync(Echo);
        using var client = await host.ConnectAsync();
        await client.SendAsync("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        await Task.Delay(50, Ct);
        await client.SendAsync("6\r\n world\r\n0\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal("POST /c [hello world]", response.Body);
    }

    [Fact]
    public async Task Keep_alive_serves_several_requests_on_one_connection()
    {
        await using var host = await ServerHost.StartAsync(Echo);
        using var client = await host.ConnectAsync();
        for (var i = 0; i < 5; i++)
        {
            await client.SendAsync($"GET /r{i} HTTP/1.1\r\nHost: x\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal($"GET /r{i} []", response.Body);
        }
    }

    [Fact]
    public async Task Sixteen_pipelined_requests_in_one_write_are_answered_in_order()
    {
        await using var host = await ServerHost.StartAsync(Echo);
        using var client = await host.ConnectAsync();
        var batch = new StringBuilder();
        for (var i = 0; i < 16; i++)
        {
            batch.Append(CultureInfo($"GET /p{i} HTTP/1.1\r\nHost: x\r\n\r\n"));
        }

        await client.SendAsync(batch.ToString());
        for (var i = 0; i < 16; i++)
        {
            Assert.Equal($"GET /p{i} []", (await client.ReadResponseAsync()).Body);
        }
    }

    [Fact]
    public async Task Connection_close_is_honoured()
    {
        await using var host = await ServerHost.StartAsync(Plaintext);
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Http10_closes_by_default()
    {
        await using var host = await ServerHost.StartAsync(ctx => ctx.Response.WriteAsync("ten"));
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.0\r\n\r\n");
        var text = await client.ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("chunked", text, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("\r\n\r\nten", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http10_keep_alive_is_honoured()
    {
        await using var host = await ServerHost.StartAsync(Plaintext);
        using var client = await host.ConnectAsync();
        for (var i = 0; i < 2; i++)
        {
            await client.SendAsync("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal("keep-alive", response.Header("Connection"));
            Assert.Equal("Hello, World!", response.Body);
        }
    }

    [Fact]
    public async Task Response_without_content_length_is_chunked_and_empty_response_has_zero_length()
    {
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            if (ctx.Request.Path == "/empty")
            {
                return;
            }

            await ctx.Response.WriteAsync("part1,");
            await ctx.Response.Body.FlushAsync();
            await ctx.Response.WriteAsync("part2");
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET /chunks HTTP/1.1\r\nHost: x\r\n\r\nGET /empty HTTP/1.1\r\nHost: x\r\n\r\n");
        var chunked = await client.ReadResponseAsync();
        Assert.True(chunked.WasChunked);
        Assert.Equal("part1,part2", chunked.Body);
        var empty = await client.ReadResponseAsync();
        Assert.Equal("0", empty.Header("Content-Length"));
    }

    [Fact]
    public async Task Body_writer_memory_is_framed()
    {
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            var writer = ctx.Response.BodyWriter;
            for (var i = 0; i < 3; i++)
            {
                var span = writer.GetSpan(10);
                var n = Encoding.ASCII.GetBytes($"w{i};", span);
                writer.Advance(n);
            }

            await writer.FlushAsync();
        });
        using var http = host.CreateClient();
        Assert.Equal("w0;w1;w2;", await http.GetStringAsync(new Uri("/", UriKind.Relative), Ct));
    }

    [Fact]
    public async Task Bad_request_gets_400_and_close()
    {
        await using var host = await ServerHost.StartAsync(Plaintext);
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(400, response.StatusCode);
        Assert.Equal("0", response.Header("Content-Length"));
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
        Assert.Contains(host.Logs.Records, r => r.Level == Microsoft.Extensions.Logging.LogLevel.Debug && r.Message.Contains("bad request", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Missing_host_in_http11_is_rejected()
    {
        await using var host = await ServerHost.StartAsync(Plaintext);
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\n\r\n");
        Assert.Equal(400, (await client.ReadResponseAsync()).StatusCode);
    }

    [Fact]
    public async Task Path_is_decoded_and_normalised_raw_target_is_kept()
    {
        await using var host = await ServerHost.StartAsync(ctx =>
            ctx.Response.WriteAsync($"{ctx.Request.Path}|{ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget}"));
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET /a/./b/../c%2Fd%41 HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("/a/c%2FdA|/a/./b/../c%2Fd%41", (await client.ReadResponseAsync()).Body);
    }

    [Fact]
    public async Task Features_describe_the_connection()
    {
        await using var host = await ServerHost.StartAsync(ctx => ctx.Response.WriteAsync(
            $"{ctx.Request.Protocol}|{ctx.Request.Scheme}|{ctx.Connection.RemoteIpAddress}|{ctx.Connection.LocalPort}|{ctx.TraceIdentifier}|{ctx.Request.Headers.Host}"));
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: example\r\n\r\nGET / HTTP/1.1\r\nHost: example\r\n\r\n");
        var first = (await client.ReadResponseAsync()).Body.Split('|');
        var second = (await client.ReadResponseAsync()).Body.Split('|');
        Assert.Equal(["HTTP/1.1", "http", "127.0.0.1", host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)], first[..4]);
        Assert.EndsWith(":00000001", first[4], StringComparison.Ordinal);
        Assert.EndsWith(":00000002", second[4], StringComparison.Ordinal);
        Assert.Equal("example", first[5]);
    }

    [Fact]
    public async Task Connection_addresses_the_app_set_last_one_request()
    {
        // As forwarded-headers middleware does behind a proxy: the next request on the connection sees the real ones.
        await using var host = await ServerHost.StartAsync(ctx =>
        {
            var connection = ctx.Connection;
            var before = $"{connection.RemoteIpAddress}:{connection.RemotePort}>{connection.LocalIpAddress}:{connection.LocalPort}";
            if (ctx.Request.Headers.ContainsKey("X-Override"))
            {
                connection.RemoteIpAddress = System.Net.IPAddress.Parse("192.0.2.1");
                connection.RemotePort = 1;
                connection.LocalIpAddress = System.Net.IPAddress.Parse("192.0.2.2");
                connection.LocalPort = 2;
            }

            return ctx.Response.WriteAsync($"{before}|{connection.RemoteIpAddress}:{connection.RemotePort}>{connection.LocalIpAddress}:{connection.LocalPort}");
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nX-Override: 1\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        var first = (await client.ReadResponseAsync()).Body.Split('|');
        var overridden = (await client.ReadResponseAsync()).Body.Split('|');
        var third = (await client.ReadResponseAsync()).Body.Split('|');
        Assert.Equal(first[0], first[1]);
        Assert.StartsWith("127.0.0.1:", first[0], StringComparison.Ordinal);
        Assert.EndsWith($">127.0.0.1:{host.Port}", first[0], StringComparison.Ordinal);
        Assert.Equal([first[0], "192.0.2.1:1>192.0.2.2:2"], overridden);
        Assert.Equal([first[0], first[0]], third);
    }

    private static string CultureInfo(FormattableString text) => FormattableString.Invariant(text);
}

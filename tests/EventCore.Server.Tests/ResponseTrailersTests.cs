using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Tests;

/// <summary>Response trailers on chunked HTTP/1.1 responses (Kestrel has them on HTTP/2 and 3 only), over raw TCP and HttpClient.</summary>
public class ResponseTrailersTests
{
    [Fact]
    public async Task Trailers_follow_the_last_chunk_and_the_connection_stays_usable()
    {
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            ctx.Response.DeclareTrailer("x-checksum");
            await ctx.Response.WriteAsync("body");
            await ctx.Response.Body.FlushAsync();
            Assert.True(ctx.Response.SupportsTrailers());
            ctx.Response.AppendTrailer("x-checksum", "abc123");
            ctx.Response.AppendTrailer("x-count", "4");
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");

        var first = await client.ReadResponseAsync();
        var second = await client.ReadResponseAsync();

        foreach (var response in new[] { first, second })
        {
            Assert.True(response.WasChunked);
            Assert.Equal("body", response.Body);
            Assert.Equal("x-checksum", response.Header("Trailer"));
            Assert.Equal([("x-checksum", "abc123"), ("x-count", "4")], response.Trailers);
        }
    }

    [Fact]
    public async Task HttpClient_reads_the_trailers()
    {
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            await ctx.Response.WriteAsync("streamed");
            ctx.Response.AppendTrailer("grpc-status", "0");
        });
        using var http = host.CreateClient();

        using var response = await http.GetAsync("/", TestContext.Current.CancellationToken);

        Assert.Equal("streamed", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("0", Assert.Single(response.TrailingHeaders.GetValues("grpc-status")));
    }

    [Fact]
    public async Task Trailers_added_before_any_body_make_the_response_chunked_instead_of_content_length_zero()
    {
        await using var host = await ServerHost.StartAsync(ctx =>
        {
            ctx.Response.AppendTrailer("x-result", "empty");
            return Task.CompletedTask;
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.True(response.WasChunked, response.StatusLine);
        Assert.Null(response.Header("Content-Length"));
        Assert.Equal("", response.Body);
        Assert.Equal("empty", response.Trailer("x-result"));
    }

    [Theory]
    [InlineData("GET / HTTP/1.0\r\n\r\n", "http/1.0")]
    [InlineData("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", "head")]
    [InlineData("GET /content-length HTTP/1.1\r\nHost: x\r\n\r\n", "content-length")]
    public async Task Where_trailers_cannot_be_sent_they_are_not_supported_and_AppendTrailer_throws(string request, string label)
    {
        var outcome = new TaskCompletionSource<(bool Supported, Exception? Error)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            if (ctx.Request.Path == "/content-length")
            {
                ctx.Response.ContentLength = 2;
                await ctx.Response.WriteAsync("ok");
            }

            var error = Record.Exception(() => ctx.Response.AppendTrailer("x-t", "v"));
            outcome.TrySetResult((ctx.Response.SupportsTrailers(), error));
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync(request);
        var response = await client.ReadResponseAsync(headRequest: request.StartsWith("HEAD", StringComparison.Ordinal));

        var (supported, error) = await outcome.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.False(supported, label);
        Assert.IsType<InvalidOperationException>(error);
        Assert.Empty(response.Trailers);
    }

    [Theory]
    [InlineData("Content-Length")]
    [InlineData("Transfer-Encoding")]
    [InlineData("Trailer")]
    [InlineData("Host")]
    [InlineData("Set-Cookie")]
    public async Task Fields_that_frame_route_or_control_the_message_cannot_be_trailers(string name)
    {
        var error = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            await ctx.Response.WriteAsync("x");
            error.TrySetResult(Record.Exception(() => ctx.Response.AppendTrailer(name, "1")));
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        var response = await client.ReadResponseAsync();

        Assert.IsType<InvalidOperationException>(await error.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal("x", response.Body);
        Assert.Empty(response.Trailers);
    }

    [Theory]
    [InlineData("a\r\nInjected: yes")]
    [InlineData("caf\u00e9")]
    public async Task Trailer_values_are_checked_like_header_values(string value)
    {
        var error = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            await ctx.Response.WriteAsync("x");
            error.TrySetResult(Record.Exception(() => ctx.Response.AppendTrailer("x-t", value)));
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        var response = await client.ReadResponseAsync();

        Assert.IsType<InvalidOperationException>(await error.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Empty(response.Trailers);
    }

    [Fact]
    public async Task Trailers_are_read_only_after_the_response_ends_and_empty_for_the_next_request()
    {
        var late = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            var feature = ctx.Features.Get<IHttpResponseTrailersFeature>()!;
            if (ctx.Request.Path == "/first")
            {
                ctx.Response.AppendTrailer("x-first", "1");
                await ctx.Response.CompleteAsync();
                late.TrySetResult(Record.Exception(() => feature.Trailers["x-late"] = "2"));
                return;
            }

            await ctx.Response.WriteAsync(feature.Trailers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n");

        var first = await client.ReadResponseAsync();
        var second = await client.ReadResponseAsync();

        Assert.Equal([("x-first", "1")], first.Trailers);
        Assert.IsType<InvalidOperationException>(await late.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal("0", second.Body);
        Assert.Empty(second.Trailers);
    }

    [Fact]
    public async Task A_trailers_dictionary_set_by_the_app_is_sent_and_checked()
    {
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            var feature = ctx.Features.Get<IHttpResponseTrailersFeature>()!;
            feature.Trailers = new HeaderDictionary { ["x-own"] = "mine" };
            await ctx.Response.WriteAsync(ctx.Request.Path == "/bad" ? "bad" : "good");
            if (ctx.Request.Path == "/bad")
            {
                feature.Trailers["x-bad"] = "a\nb";
            }
        });
        using var good = await host.ConnectAsync();
        await good.SendAsync("GET /good HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal([("x-own", "mine")], (await good.ReadResponseAsync()).Trailers);

        // A bad field in an app-supplied dictionary is caught while writing the end: the body is cut, never split.
        using var bad = await host.ConnectAsync();
        await bad.SendAsync("GET /bad HTTP/1.1\r\nHost: x\r\n\r\n");
        var text = await bad.ReadToEndAsync();
        Assert.DoesNotContain("x-bad", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\r\n0\r\n", text[text.IndexOf("\r\n\r\n", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }
}

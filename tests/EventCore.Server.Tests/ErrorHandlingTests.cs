using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EventCore.Server.Tests;

public class ErrorHandlingTests
{
    [Fact]
    public async Task Exception_before_the_response_started_is_a_500_with_empty_body()
    {
        await using var host = await ServerHost.StartAsync(ctx =>
        {
            ctx.Response.Headers["X-Lost"] = "yes";
            throw new InvalidOperationException("boom");
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        for (var i = 0; i < 2; i++)
        {
            var response = await client.ReadResponseAsync();
            Assert.Equal(500, response.StatusCode);
            Assert.Equal("0", response.Header("Content-Length"));
            Assert.Null(response.Header("X-Lost"));
        }

        Assert.Contains(host.Logs.Records, r => r.Level == LogLevel.Error && r.Exception?.Message == "boom");
    }

    [Fact]
    public async Task Exception_after_the_response_started_cuts_the_response_and_closes()
    {
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            await ctx.Response.WriteAsync("partial");
            throw new InvalidOperationException("late");
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        var text = await client.ReadToEndAsync();
        Assert.Contains("partial", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\r\n0\r\n\r\n", text, StringComparison.Ordinal); // never a clean chunked end
    }

    [Fact]
    public async Task Content_length_shorter_than_declared_aborts()
    {
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            ctx.Response.ContentLength = 10;
            await ctx.Response.WriteAsync("abc");
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        // What was written is sent, then the connection closes: the client sees a truncated body.
        Assert.EndsWith("abc", await client.ReadToEndAsync(), StringComparison.Ordinal);
        Assert.Contains(host.Logs.Records, r => r.Exception?.Message.Contains("too few bytes", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Writing_more_than_content_length_throws()
    {
        Exception? seen = null;
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            ctx.Response.ContentLength = 2;
            try
            {
                await ctx.Response.WriteAsync("abc");
            }
            catch (InvalidOperationException ex)
            {
                seen = ex;
                throw;
            }
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await client.ReadToEndAsync();
        Assert.Contains("too many bytes", seen?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnStarting_and_OnCompleted_run_last_registered_first()
    {
        var order = new List<string>();
        var completed = new TaskCompletionSource();
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            ctx.Response.OnStarting(() => { order.Add("starting1"); return Task.CompletedTask; });
            ctx.Response.OnStarting(() => { order.Add("starting2"); return Task.CompletedTask; });
            ctx.Response.OnCompleted(() => { order.Add("completed1"); completed.TrySetResult(); return Task.CompletedTask; });
            ctx.Response.OnCompleted(() => { order.Add("completed2"); return Task.CompletedTask; });
            order.Add("app");
            await ctx.Response.WriteAsync("x");
            order.Add("written");
        });
        using var http = host.CreateClient();
        await http.GetStringAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        await completed.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(["app", "starting2", "starting1", "written", "completed2", "completed1"], order);
    }

    [Fact]
    public async Task Cookies_set_in_OnStarting_arrive_even_when_the_body_writer_is_used_first()
    {
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            ctx.Response.OnStarting(() =>
            {
                ctx.Response.Cookies.Append("session", "abc");
                return Task.CompletedTask;
            });
            var span = ctx.Response.BodyWriter.GetSpan(5);
            "hello"u8.CopyTo(span);
            ctx.Response.BodyWriter.Advance(5);
            await ctx.Response.BodyWriter.FlushAsync();
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.StartsWith("session=abc", response.Header("Set-Cookie"), StringComparison.Ordinal);
        Assert.Equal("hello", response.Body);
    }

    [Fact]
    public async Task Invalid_response_headers_throw()
    {
        var errors = new List<string>();
        await using var host = await ServerHost.StartAsync(ctx =>
        {
            foreach (var (name, value) in new[] { ("X-Bad", "a\r\nInjected: 1"), ("Bad Name", "v"), ("X-Ctl", "a\0b"), ("X-Utf", "é") })
            {
                try
                {
                    ctx.Response.Headers[name] = value;
                }
                catch (InvalidOperationException ex)
                {
                    errors.Add(ex.Message);
                }
            }

            ctx.Response.Headers["X-Tab"] = "a\tb";
            return Task.CompletedTask;
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(4, errors.Count);
        Assert.Equal("a\tb", response.Header("X-Tab"));
        Assert.Null(response.Header("Injected"));
    }

    [Fact]
    public async Task Headers_are_read_only_after_the_response_started()
    {
        Exception? seen = null;
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            await ctx.Response.WriteAsync("x");
            seen = Record.Exception(() => ctx.Response.Headers["X-Late"] = "1");
        });
        using var http = host.CreateClient();
        await http.GetStringAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.IsType<InvalidOperationException>(seen);
    }

    [Fact]
    public async Task Synchronous_io_is_disallowed_by_default()
    {
        Exception? readError = null;
        Exception? writeError = null;
        await using var host = await ServerHost.StartAsync(ctx =>
        {
            readError = Record.Exception(() => ctx.Request.Body.ReadExactly(new byte[1]));
            writeError = Record.Exception(() => ctx.Response.Body.Write("x"u8));
            return Task.CompletedTask;
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na");
        await client.ReadResponseAsync();
        Assert.IsType<InvalidOperationException>(readError);
        Assert.IsType<InvalidOperationException>(writeError);
    }

    [Fact]
    public async Task Writing_a_body_for_204_throws_and_the_response_has_no_framing()
    {
        Exception? seen = null;
        await using var host = await ServerHost.StartAsync(async ctx =>
        {
            ctx.Response.StatusCode = 204;
            await ctx.Response.StartAsync();
            seen = await Record.ExceptionAsync(() => ctx.Response.WriteAsync("x", ctx.RequestAborted));
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        for (var i = 0; i < 2; i++)
        {
            var response = await client.ReadResponseAsync();
            Assert.Equal(204, response.StatusCode);
            Assert.Null(response.Header("Transfer-Encoding"));
            Assert.Null(response.Header("Content-Length"));
        }

        Assert.IsType<InvalidOperationException>(seen);
    }
}

using System.Text;
using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace EventCore.Server.Tests;

/// <summary>Non-ASCII header values: refused by default, encoded or decoded as the options' encoding selectors say.</summary>
public class HeaderEncodingTests
{
    [Fact]
    public async Task A_non_ascii_response_header_throws_by_default_and_the_response_is_500()
    {
        var error = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ServerHost.StartAsync(ctx =>
        {
            error.TrySetResult(Record.Exception(() => ctx.Response.Headers["X-Name"] = "caf\u00e9"));
            return Task.CompletedTask;
        });
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        var response = await client.ReadResponseAsync();

        var thrown = Assert.IsType<InvalidOperationException>(await error.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Contains("0x00E9", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(200, response.StatusCode); // the app caught it; nothing non-ASCII was stored
        Assert.Null(response.Header("X-Name"));
    }

    [Fact]
    public async Task The_response_selector_encodes_the_fields_it_names_and_only_those()
    {
        var refused = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ServerHost.StartAsync(
            async ctx =>
            {
                ctx.Response.Headers["X-Utf8"] = "caf\u00e9 \u4e2d";
                ctx.Response.Headers["Content-Disposition"] = "attachment; filename=\"r\u00e9sum\u00e9.txt\"";
                refused.TrySetResult(Record.Exception(() => ctx.Response.Headers["X-Other"] = "caf\u00e9"));
                await ctx.Response.WriteAsync("x");
                ctx.Response.AppendTrailer("X-Utf8", "\u00fcber");
            },
            o => o.ResponseHeaderEncodingSelector = name => name is "X-Utf8" ? Encoding.UTF8 : name is "Content-Disposition" ? Encoding.Latin1 : null);
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        var response = await client.ReadResponseAsync(); // RawClient reads bytes as Latin-1

        Assert.IsType<InvalidOperationException>(await refused.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal(Encoding.Latin1.GetString(Encoding.UTF8.GetBytes("caf\u00e9 \u4e2d")), response.Header("X-Utf8"));
        Assert.Equal("attachment; filename=\"r\u00e9sum\u00e9.txt\"", response.Header("Content-Disposition"));
        Assert.Equal(Encoding.Latin1.GetString(Encoding.UTF8.GetBytes("\u00fcber")), response.Trailer("X-Utf8"));
        Assert.Null(response.Header("X-Other"));
    }

    [Theory]
    [InlineData("a\r\nInjected: 1")]
    [InlineData("a\nb")]
    [InlineData("a\u0000b")]
    [InlineData("caf\u00e9\u007f")]
    public async Task Control_characters_are_refused_even_with_a_selector(string value)
    {
        var error = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ServerHost.StartAsync(
            ctx =>
            {
                error.TrySetResult(Record.Exception(() => ctx.Response.Headers["X-Utf8"] = value));
                return Task.CompletedTask;
            },
            o => o.ResponseHeaderEncodingSelector = _ => Encoding.UTF8);
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        var response = await client.ReadResponseAsync();

        Assert.IsType<InvalidOperationException>(await error.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Null(response.Header("X-Utf8"));
        Assert.Null(response.Header("Injected"));
    }

    [Fact]
    public async Task The_request_selector_decodes_the_fields_it_names()
    {
        await using var host = await ServerHost.StartAsync(
            ctx => ctx.Response.WriteAsync(string.Join('|', ctx.Request.Headers["X-Latin1"].ToString(), ctx.Request.Headers["X-Default"].ToString())
                .Select(c => ((int)c).ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Aggregate((a, b) => a + "," + b)),
            o => o.RequestHeaderEncodingSelector = name => name.Equals("X-Latin1", StringComparison.OrdinalIgnoreCase) ? Encoding.Latin1 : null);
        using var client = await host.ConnectAsync();

        // Both values are the UTF-8 bytes of "é" (C3 A9): Latin-1 reads two characters, the default UTF-8 one.
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\nX-Latin1: \u00c3\u00a9\r\nX-Default: \u00c3\u00a9\r\n\r\n");
        var response = await client.ReadResponseAsync();

        Assert.Equal("c3,a9,7c,e9", response.Body);
    }
}

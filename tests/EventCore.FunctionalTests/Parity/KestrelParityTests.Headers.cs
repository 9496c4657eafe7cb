using System.Text;
using EventCore.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EventCore.FunctionalTests.Parity;

/// <summary>Header encodings, an app-set Transfer-Encoding and response trailers, on both servers.</summary>
public sealed partial class KestrelParityTests
{
    private const string Get = " HTTP/1.1\r\nHost: localhost\r\n\r\n";

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(EpollAndKestrel))]
    public async Task A_non_ascii_response_header_value_throws_InvalidOperationException_by_default(ServerKind server)
    {
        var ct = TestContext.Current.CancellationToken;
        var seen = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ParityHost.StartAsync(server, new ParitySettings(), app => app.MapGet("/", (HttpContext context) =>
        {
            seen.TrySetResult(Record.Exception(() => context.Response.Headers["X-Name"] = "caf\u00e9"));
            context.Response.Headers["X-Name"] = "caf\u00e9"; // uncaught: the request fails before its response started
        }), ct);

        var response = await RoundTripAsync(host, "GET /" + Get, ct);

        Assert.IsType<InvalidOperationException>(await seen.Task.WaitAsync(TimeSpan.FromSeconds(20), ct));
        Assert.Equal(500, response.StatusCode);
        Assert.Null(response["X-Name"]);
    }

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(EpollAndKestrel))]
    public async Task The_response_header_encoding_selector_puts_the_encoded_bytes_on_the_wire(ServerKind server)
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = new ParitySettings { ResponseHeaderEncodingSelector = name => name == "X-Utf8" ? Encoding.UTF8 : null };
        await using var host = await ParityHost.StartAsync(server, settings, app => app.MapGet("/", (HttpContext context) =>
        {
            context.Response.Headers["X-Utf8"] = "caf\u00e9 \u4e2d";
            return "ok";
        }), ct);

        var response = await RoundTripAsync(host, "GET /" + Get, ct);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(Encoding.Latin1.GetString(Encoding.UTF8.GetBytes("caf\u00e9 \u4e2d")), response["X-Utf8"]); // raw bytes, one char each
    }

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(EpollAndKestrel))]
    public async Task The_request_header_encoding_selector_decodes_the_values_it_names(ServerKind server)
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = new ParitySettings { RequestHeaderEncodingSelector = name => name.Equals("X-Latin1", StringComparison.OrdinalIgnoreCase) ? Encoding.Latin1 : null };
        await using var host = await ParityHost.StartAsync(server, settings, app => app.MapGet("/", (HttpContext context) =>
            string.Join(',', context.Request.Headers["X-Latin1"].ToString().Select(c => ((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)))), ct);

        // 0xE9 alone is not UTF-8 (Kestrel's default would refuse it); as Latin-1 it is "é".
        var response = await RoundTripAsync(host, "GET / HTTP/1.1\r\nHost: localhost\r\nX-Latin1: caf\u00e9\r\n\r\n", ct);

        Assert.Equal((200, "63,61,66,e9"), (response.StatusCode, response.BodyText));
    }

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(EpollAndKestrel))]
    public async Task A_transfer_coding_other_than_chunked_set_by_the_app_is_close_delimited(ServerKind server)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ParityHost.StartAsync(server, new ParitySettings(), app => app.MapGet("/", async (HttpContext context) =>
        {
            context.Response.Headers.TransferEncoding = "gzip";
            await context.Response.WriteAsync("coded-by-the-app", ct);
        }), ct);

        using var connection = await RawConnection.ConnectAsync(host.EndPoint, ct);
        await connection.SendAsync("GET /" + Get, ct);
        var head = await connection.ReadHeadAsync(ct);
        var body = await connection.ReadToEndAsync(ct);

        Assert.Equal("gzip", head["Transfer-Encoding"]);
        Assert.True(head.HasConnectionOption("close"), head.ToString());
        Assert.Equal("coded-by-the-app", Encoding.ASCII.GetString(body)); // the body ends with the connection
        Assert.True(connection.ClosedByServer);
    }

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(EpollAndKestrel))]
    public async Task Transfer_encoding_on_a_204_throws_when_the_response_starts(ServerKind server)
    {
        var ct = TestContext.Current.CancellationToken;
        var seen = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ParityHost.StartAsync(server, new ParitySettings(), app => app.MapGet("/", async (HttpContext context) =>
        {
            context.Response.StatusCode = 204;
            context.Response.Headers.TransferEncoding = "chunked";
            seen.TrySetResult(await Record.ExceptionAsync(() => context.Response.StartAsync(ct)));
            context.Response.Headers.Remove("Transfer-Encoding");
        }), ct);

        var response = await RoundTripAsync(host, "GET /" + Get, ct);

        Assert.IsType<InvalidOperationException>(await seen.Task.WaitAsync(TimeSpan.FromSeconds(20), ct));
        Assert.Equal(204, response.StatusCode); // the app recovered: nothing had been sent
        Assert.Null(response["Transfer-Encoding"]);
    }

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(EpollAndKestrel))]
    public async Task Transfer_encoding_chunked_set_by_the_app_where_Kestrel_trusts_the_app_to_frame_and_EventCore_frames(ServerKind server)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ParityHost.StartAsync(server, new ParitySettings(), app => app.MapGet("/", async (HttpContext context) =>
        {
            context.Response.Headers.TransferEncoding = "chunked";
            await context.Response.WriteAsync("5\r\nhello\r\n0\r\n\r\n", ct);
        }), ct);

        var response = await RoundTripAsync(host, "GET /" + Get, ct);

        Assert.True(response.IsChunked);
        // Kestrel sends the app's bytes as the framing; EventCore chunks them, so they arrive as the content they are.
        Assert.Equal(host.IsEventCore ? "5\r\nhello\r\n0\r\n\r\n" : "hello", response.BodyText);
    }

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(EpollAndKestrel))]
    public async Task Response_trailers_on_http11_are_EventCores_addition(ServerKind server)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ParityHost.StartAsync(server, new ParitySettings(), app => app.MapGet("/", async (HttpContext context) =>
        {
            var supported = context.Response.SupportsTrailers();
            await context.Response.WriteAsync(supported ? "supported" : "unsupported", ct);
            if (supported)
            {
                context.Response.AppendTrailer("x-digest", "sha-256=abc");
            }
        }), ct);
        using var client = CreateClient(host);

        using var response = await client.GetAsync("/", ct);

        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.Equal(host.IsEventCore ? "supported" : "unsupported", body); // Kestrel: HTTP/2 and HTTP/3 only
        Assert.Equal(host.IsEventCore, response.TrailingHeaders.TryGetValues("x-digest", out var digest) && digest.Single() == "sha-256=abc");
    }
}

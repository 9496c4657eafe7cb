using System.Net;
using System.Security.Cryptography;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventCore.FunctionalTests;

/// <summary>Kestrel itself on the epoll transport (<c>UseEpollTransport()</c>) serving a Minimal API app.</summary>
public sealed class KestrelOnEpollTests : IAsyncLifetime
{
    private const int StreamChunk = 64 * 1024;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost
            .UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0))
            .UseEpollTransport(options => options.LoopCount = 2);
        _app = builder.Build();
        _app.MapGet("/hello", () => "Hello from epoll");
        _app.MapGet("/items/{id:int}", (int id) => Results.Ok(new Item(id, $"item {id}")));
        _app.MapPost("/echo", async (HttpRequest request, HttpResponse response) =>
        {
            response.ContentType = "application/octet-stream";
            await request.Body.CopyToAsync(response.Body);
        });
        _app.MapGet("/stream/{megabytes:int}", async (int megabytes, HttpResponse response) =>
        {
            byte[] chunk = Pattern(StreamChunk);
            response.ContentType = "application/octet-stream";
            for (int i = 0; i < megabytes * 1024 * 1024 / StreamChunk; i++)
            {
                await response.Body.WriteAsync(chunk);
            }
        });
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _client = new HttpClient { BaseAddress = new Uri(address), Timeout = s_timeout };
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Kestrel_accepts_through_the_epoll_transport()
    {
        Assert.Equal("Hello from epoll", await _client.GetStringAsync(new Uri("/hello", UriKind.Relative), Token));
        EpollTransportFactory factory = _app.Services.GetServices<IConnectionListenerFactory>().OfType<EpollTransportFactory>().Single();
        Assert.Equal(2, factory.Loops.Count);
        Assert.True(factory.Loops.Sum(l => l.AcceptedCount) >= 1);
    }

    [Fact]
    public async Task Keep_alive_reuses_connections()
    {
        for (int i = 0; i < 100; i++)
        {
            Item? item = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<Item>(_client, new Uri($"/items/{i}", UriKind.Relative), Token);
            Assert.Equal(new Item(i, $"item {i}"), item);
        }
        EpollTransportFactory factory = _app.Services.GetServices<IConnectionListenerFactory>().OfType<EpollTransportFactory>().Single();
        Assert.InRange(factory.Loops.Sum(l => l.AcceptedCount), 1, 3);
    }

    [Fact]
    public async Task Serves_many_concurrent_requests()
    {
        string[] replies = await Task.WhenAll(Enumerable.Range(0, 200)
            .Select(_ => _client.GetStringAsync(new Uri("/hello", UriKind.Relative), Token)));
        Assert.All(replies, r => Assert.Equal("Hello from epoll", r));
    }

    [Fact]
    public async Task Echoes_a_1_MB_body()
    {
        byte[] body = RandomNumberGenerator.GetBytes(1024 * 1024);
        using var content = new ByteArrayContent(body);
        using HttpResponseMessage response = await _client.PostAsync(new Uri("/echo", UriKind.Relative), content, Token);
        response.EnsureSuccessStatusCode();
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync(Token));
    }

    [Fact]
    public async Task Echoes_bodies_concurrently()
    {
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            byte[] body = RandomNumberGenerator.GetBytes(256 * 1024);
            using var content = new ByteArrayContent(body);
            using HttpResponseMessage response = await _client.PostAsync(new Uri("/echo", UriKind.Relative), content, Token);
            Assert.Equal(body, await response.Content.ReadAsByteArrayAsync(Token));
        }));
    }

    [Fact]
    public async Task Streams_a_10_MB_response()
    {
        using HttpResponseMessage response = await _client.GetAsync(new Uri("/stream/10", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, Token);
        response.EnsureSuccessStatusCode();
        await using Stream stream = await response.Content.ReadAsStreamAsync(Token);
        byte[] expected = Pattern(StreamChunk);
        byte[] buffer = new byte[StreamChunk];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, Token)) > 0)
        {
            for (int i = 0; i < read; i++)
            {
                if (buffer[i] != expected[(total + i) % StreamChunk])
                {
                    Assert.Fail($"byte {total + i} differs");
                }
            }
            total += read;
        }
        Assert.Equal(10L * 1024 * 1024, total);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 31 % 251)).ToArray();

    private sealed record Item(int Id, string Name);
}

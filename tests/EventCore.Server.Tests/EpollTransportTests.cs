using System.Net.Sockets;
using System.Text;
using EventCore.Server.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace EventCore.Server.Tests;

/// <summary>The server on its default transport (epoll): the main paths, and SendFileAsync through sendfile(2).</summary>
public sealed class EpollTransportTests : IDisposable
{
    private readonly string _path = Path.GetTempFileName();

    public EpollTransportTests() => File.WriteAllText(_path, new string('f', 100_000) + "END");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public async Task Plaintext_keep_alive_and_pipelining()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Echo, defaultTransport: true);
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("GET /one []", (await client.ReadResponseAsync()).Body);
        var batch = new StringBuilder();
        for (var i = 0; i < 16; i++)
        {
            batch.Append(FormattableString.Invariant($"POST /p{i} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{i % 10}!"));
        }

        await client.SendAsync(batch.ToString());
        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(FormattableString.Invariant($"POST /p{i} [{i % 10}!]"), (await client.ReadResponseAsync()).Body);
        }
    }

    [Fact]
    public async Task Large_upload_with_HttpClient()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Echo, defaultTransport: true);
        using var http = host.CreateClient();
        var payload = new string('u', 1_000_000);
        var response = await http.PostAsync(new Uri("/up", UriKind.Relative), new StringContent(payload), TestContext.Current.CancellationToken);
        Assert.Equal($"POST /up [{payload}]", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SendFile_uses_sendfile_with_content_length()
    {
        var length = new FileInfo(_path).Length;
        await using var host = await ServerHost.StartAsync(
            async ctx =>
            {
                ctx.Response.ContentLength = length;
                await ctx.Response.WriteAsync(string.Empty);
                await ctx.Features.Get<IHttpResponseBodyFeature>()!.SendFileAsync(_path, 0, length, ctx.RequestAborted);
            },
            defaultTransport: true);
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        for (var i = 0; i < 2; i++)
        {
            var response = await client.ReadResponseAsync();
            Assert.Equal(length, response.Body.Length);
            Assert.EndsWith("END", response.Body, StringComparison.Ordinal);
        }

        Assert.Equal(2, host.Logs.Records.Count(r => r.Message.Contains("with the transport's sendfile", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public async Task SendFile_copies_small_files_into_the_output_and_sends_larger_ones_with_sendfile(int overLimit, bool usesSendFile)
    {
        var size = Http1.Http1Exchange.SmallFileLimit + overLimit;
        File.WriteAllText(_path, new string('s', size - 3) + "END");
        await using var host = await ServerHost.StartAsync(
            ctx =>
            {
                ctx.Response.ContentLength = size;
                return ctx.Response.SendFileAsync(_path);
            },
            defaultTransport: true);
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        for (var i = 0; i < 2; i++)
        {
            var response = await client.ReadResponseAsync();
            Assert.Equal(size, response.Body.Length);
            Assert.EndsWith("END", response.Body, StringComparison.Ordinal);
        }

        var sendFileCount = host.Logs.Records.Count(r => r.Message.Contains("with the transport's sendfile", StringComparison.Ordinal));
        Assert.Equal(usesSendFile ? 2 : 0, sendFileCount);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SendFile_to_a_client_that_resets_ends_quietly_and_the_server_goes_on(bool setLength)
    {
        File.WriteAllBytes(_path, new byte[32 * 1024 * 1024]);
        var sendFileEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Exception? escaped = null;
        await using var host = await ServerHost.StartAsync(
            async ctx =>
            {
                if (ctx.Request.Path == "/big")
                {
                    try
                    {
                        if (setLength)
                        {
                            ctx.Response.ContentLength = 32 * 1024 * 1024; // sendfile; without it the chunked copy loop
                        }

                        await ctx.Response.SendFileAsync(_path);
                    }
                    catch (Exception ex)
                    {
                        escaped = ex;
                        throw;
                    }
                    finally
                    {
                        sendFileEnded.TrySetResult();
                    }
                }
            },
            defaultTransport: true);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, host.Port), TestContext.Current.CancellationToken);
        using (var client = new RawClient(socket))
        {
            await client.SendAsync("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
            await client.ReadExactAsync(1024); // the response started; the rest waits on a full socket buffer
            client.Socket.LingerState = new LingerOption(true, 0); // close with RST
        }

        // The send ends early, either canceled through RequestAborted (which the SendFileAsync extension swallows) or
        // by the server noticing the closed connection: never as an application error.
        await sendFileEnded.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Null(escaped);
        using var http = host.CreateClient();
        var ok = await http.GetAsync(new Uri("/other", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, ok.StatusCode);
        Assert.DoesNotContain(host.Logs.Records, r => r.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Shutdown_closes_idle_connections()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, defaultTransport: true);
        using var client = await host.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).StatusCode);
        await host.StopAsync(TimeSpan.FromSeconds(30));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task RequestAborted_fires_when_the_client_disconnects()
    {
        var started = new TaskCompletionSource();
        var aborted = new TaskCompletionSource();
        await using var host = await ServerHost.StartAsync(
            async ctx =>
            {
                ctx.RequestAborted.Register(() => aborted.TrySetResult());
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            },
            defaultTransport: true);
        using (var client = await host.ConnectAsync())
        {
            await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }

        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }
}

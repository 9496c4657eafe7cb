using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EventCore.Sites.Tests.Support;

/// <summary>
/// Exact request bytes over a real socket, for what HttpClient would clean up first (dot segments, %00, raw
/// targets), for Expect: 100-continue, and for a client that goes away mid-body.
/// </summary>
internal sealed class RawClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        return new RawClient(tcp);
    }

    /// <summary>GET <paramref name="target"/> as sent, with Connection: close; the response read to the end.</summary>
    public static async Task<RawReply> GetAsync(int port, string target, string host = "default.test")
    {
        await using var client = await ConnectAsync(port);
        await client.WriteAsync($"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        return RawReply.Parse(await client.ReadToEndAsync());
    }

    /// <summary>The connection's stream, for a test that reads and writes at once.</summary>
    public Stream Stream => _stream;

    public Task WriteAsync(string text) => WriteAsync(Encoding.Latin1.GetBytes(text));

    public async Task WriteAsync(byte[] bytes) => await _stream.WriteAsync(bytes, TestContext.Current.CancellationToken);

    /// <summary>Reads until the server closes (at most 30 s; an RST ends the read as a close does).</summary>
    public async Task<string> ReadToEndAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var received = new MemoryStream();
        try
        {
            await _stream.CopyToAsync(received, timeout.Token);
        }
        catch (IOException)
        {
            // Reset by the server after its answer: what arrived before is the answer.
        }

        return Encoding.Latin1.GetString(received.ToArray());
    }

    /// <summary>Reads what the server sends until a whole response head has arrived.</summary>
    public async Task<string> ReadHeadAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await _stream.ReadAsync(buffer, timeout.Token) == 1)
        {
            head.Append((char)buffer[0]);
        }

        return head.ToString();
    }

    /// <summary>Closes at once with an RST (SO_LINGER 0): a client that vanishes.</summary>
    public void Reset()
    {
        _tcp.Client.LingerState = new LingerOption(true, 0);
        _tcp.Client.Close();
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A response read off a raw socket: status, head and body text.</summary>
internal sealed record RawReply(int Status, string Head, string Body)
{
    public static RawReply Parse(string text)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, "no response head in: " + text);
        return new RawReply(int.Parse(text.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture), text[..end], text[(end + 4)..]);
    }
}

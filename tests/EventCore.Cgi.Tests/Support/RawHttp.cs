using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EventCore.Cgi.Tests.Support;

/// <summary>
/// A raw HTTP/1.1 client connection: exact request bytes out, the response bytes as they arrive, for checks of
/// framing, of REMOTE_PORT (its local port) and of what a client sees when the server aborts.
/// </summary>
internal sealed class RawHttp : IDisposable
{
    private readonly Socket _socket;
    private readonly MemoryStream _received = new();

    private RawHttp(Socket socket) => _socket = socket;

    public int LocalPort => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>Everything received so far.</summary>
    public byte[] Received => _received.ToArray();

    public static async Task<RawHttp> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), TestContext.Current.CancellationToken);
        return new RawHttp(socket);
    }

    /// <summary>Sends a whole request (with Connection: close) and reads the response until the server closes.</summary>
    public static async Task<RawResponse> SendAsync(int port, string head, byte[]? body = null)
    {
        using var connection = await ConnectAsync(port);
        await connection.SendAsync(head);
        if (body is not null)
        {
            await connection.SendAsync(body);
        }

        await connection.ReadToEndAsync();
        return RawResponse.Parse(connection.Received);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            bytes = bytes[await _socket.SendAsync(bytes, SocketFlags.None, TestContext.Current.CancellationToken)..];
        }
    }

    /// <summary>Reads until the server closes the connection (FIN or RST), at most 60 s.</summary>
    public async Task ReadToEndAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                _received.Write(buffer, 0, read);
            }
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
            // An abort: what arrived before it is what the test looks at.
        }
    }

    /// <summary>Reads until the first chunk of a chunked body (a line of the script's output) has arrived.</summary>
    public async Task<RawResponse> ReadFirstChunkAsync()
    {
        await ReadUntilAsync(text => text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is >= 0 and var head
            && text.IndexOf("\n\r\n", head + 4, StringComparison.Ordinal) >= 0, "the first chunk");
        return RawResponse.Parse(Received);
    }

    /// <summary>Reads until the text received so far contains <paramref name="text"/>, at most 60 s.</summary>
    public Task<string> ReadUntilAsync(string text) => ReadUntilAsync(t => t.Contains(text, StringComparison.Ordinal), $"\"{text}\"");

    private async Task<string> ReadUntilAsync(Func<string, bool> done, string what)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var buffer = new byte[16 * 1024];
        while (!done(Encoding.Latin1.GetString(_received.ToArray())))
        {
            var read = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                Assert.Fail($"The server closed the connection before sending {what}; received:\n{Encoding.Latin1.GetString(_received.ToArray())}");
            }

            _received.Write(buffer, 0, read);
        }

        return Encoding.Latin1.GetString(_received.ToArray());
    }

    /// <summary>Closes the connection at once with a reset (SO_LINGER 0): the client is gone.</summary>
    public void Reset()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    public void Dispose()
    {
        _socket.Dispose();
        _received.Dispose();
    }
}

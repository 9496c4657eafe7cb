using System.Net.Sockets;
using System.Text;

namespace EventCore.Server.Tests.Support;

/// <summary>A raw TCP client that writes request bytes and reads HTTP/1.1 responses exactly as they arrive.</summary>
internal sealed class RawClient(Socket socket) : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly Socket _socket = socket;
    private readonly List<byte> _buffer = [];

    public Socket Socket => _socket;

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>Sends, tolerating a connection the server already reset (a refusal may arrive before the request leaves).</summary>
    public async Task SendTolerantAsync(string text)
    {
        try
        {
            await SendAsync(text);
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>Reads one response (status line, headers, body by Content-Length, chunked, or to the close).</summary>
    public async Task<RawResponse> ReadResponseAsync(bool headRequest = false)
    {
        var head = await ReadHeadAsync();
        var response = RawResponse.ParseHead(head);
        if (headRequest || response.StatusCode is 204 or 304 or (>= 100 and < 200))
        {
            return response;
        }

        if (response.Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            response.Body = await ReadChunkedAsync(response.Trailers);
            response.WasChunked = true;
        }
        else if (response.Header("Content-Length") is { } length)
        {
            response.Body = Encoding.Latin1.GetString(await ReadExactAsync(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture)));
        }
        else
        {
            response.Body = await ReadToEndAsync();
        }

        return response;
    }

    /// <summary>Everything until the server closes (throws on timeout).</summary>
    public async Task<string> ReadToEndAsync()
    {
        while (await FillAsync() > 0)
        {
        }

        var text = Encoding.Latin1.GetString([.. _buffer]);
        _buffer.Clear();
        return text;
    }

    /// <summary>True when the server closed the connection (FIN or reset) within the timeout, with nothing more sent.</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan? timeout = null)
    {
        try
        {
            using var cts = new CancellationTokenSource(timeout ?? s_timeout);
            var buffer = new byte[1];
            var read = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return read == 0;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();

    private async Task<string> ReadHeadAsync()
    {
        while (true)
        {
            var end = IndexOf(_buffer, "\r\n\r\n"u8.ToArray());
            if (end >= 0)
            {
                var head = Encoding.Latin1.GetString([.. _buffer.GetRange(0, end + 4)]);
                _buffer.RemoveRange(0, end + 4);
                return head;
            }

            if (await FillAsync() == 0)
            {
                throw new IOException($"Connection closed before a whole response head; got: {Encoding.Latin1.GetString([.. _buffer])}");
            }
        }
    }

    private async Task<string> ReadChunkedAsync(List<(string Name, string Value)> trailers)
    {
        var body = new StringBuilder();
        while (true)
        {
            var sizeLine = Encoding.Latin1.GetString(await ReadLineAsync());
            var size = Convert.ToInt32(sizeLine.Split(';')[0].Trim(), 16);
            if (size == 0)
            {
                while (await ReadLineAsync() is { Length: > 0 } line)
                {
                    var field = Encoding.Latin1.GetString(line);
                    var colon = field.IndexOf(':', StringComparison.Ordinal);
                    trailers.Add((field[..colon], field[(colon + 1)..].Trim()));
                }

                return body.ToString();
            }

            body.Append(Encoding.Latin1.GetString(await ReadExactAsync(size)));
            await ReadExactAsync(2);
        }
    }

    private async Task<byte[]> ReadLineAsync()
    {
        while (true)
        {
            var end = IndexOf(_buffer, "\r\n"u8.ToArray());
            if (end >= 0)
            {
                var line = _buffer.GetRange(0, end).ToArray();
                _buffer.RemoveRange(0, end + 2);
                return line;
            }

            if (await FillAsync() == 0)
            {
                throw new IOException("Connection closed inside a chunked body.");
            }
        }
    }

    public async Task<byte[]> ReadExactAsync(int count)
    {
        while (_buffer.Count < count)
        {
            if (await FillAsync() == 0)
            {
                throw new IOException($"Connection closed after {_buffer.Count} of {count} body bytes.");
            }
        }

        var bytes = _buffer.GetRange(0, count).ToArray();
        _buffer.RemoveRange(0, count);
        return bytes;
    }

    private async Task<int> FillAsync()
    {
        var chunk = new byte[16 * 1024];
        using var cts = new CancellationTokenSource(s_timeout);
        int read;
        try
        {
            read = await _socket.ReceiveAsync(chunk, SocketFlags.None, cts.Token);
        }
        catch (SocketException)
        {
            return 0;
        }

        _buffer.AddRange(chunk.AsSpan(0, read));
        return read;
    }

    private static int IndexOf(List<byte> haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Count; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length && match; j++)
            {
                match = haystack[i + j] == needle[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>A parsed response as the client saw it.</summary>
internal sealed class RawResponse
{
    public int StatusCode { get; private set; }

    public string StatusLine { get; private set; } = "";

    public List<(string Name, string Value)> Headers { get; } = [];

    public string Body { get; set; } = "";

    public bool WasChunked { get; set; }

    /// <summary>Trailer fields after the last chunk of a chunked body.</summary>
    public List<(string Name, string Value)> Trailers { get; } = [];

    public string? Trailer(string name) => Trailers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    public static RawResponse ParseHead(string head)
    {
        var lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var response = new RawResponse { StatusLine = lines[0], StatusCode = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            response.Headers.Add((line[..colon], line[(colon + 1)..].Trim()));
        }

        return response;
    }
}

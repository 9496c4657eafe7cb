using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EventCore.Cgi.Tests.Support;

/// <summary>
/// One POST whose body is sent while the response is read, over a raw socket: HttpClient's HTTP/1.1 sends the whole
/// request body before it reads the response, which deadlocks against an echo as soon as the buffers between them
/// are full. Both bodies are pattern bytes, streamed and checked on the fly; the response may be chunked.
/// </summary>
internal static class DuplexExchange
{
    /// <summary>Posts <paramref name="size"/> pattern bytes to <paramref name="path"/>; returns the status and the verified response body length.</summary>
    public static async Task<(int Status, long Length)> PostAsync(int port, string path, long size, bool chunked)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var cancellation = TestContext.Current.CancellationToken;
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellation);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var framing = chunked ? "Transfer-Encoding: chunked" : $"Content-Length: {size}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: t\r\n{framing}\r\nConnection: close\r\n\r\n"), cancellation);
        var send = SendBodyAsync(stream, size, chunked, cancellation);
        var reader = new Reader(stream);
        var (status, headers) = await reader.ReadHeadAsync();
        var length = headers.TryGetValue("transfer-encoding", out var coding) && coding.Contains("chunked", StringComparison.OrdinalIgnoreCase)
            ? await reader.VerifyChunkedAsync()
            : await reader.VerifyAsync(headers.TryGetValue("content-length", out var value) ? long.Parse(value, CultureInfo.InvariantCulture) : long.MaxValue);
        await send;
        return (status, length);
    }

    private static async Task SendBodyAsync(Stream stream, long size, bool chunked, CancellationToken cancellation)
    {
        var block = new byte[Pattern.Line.Length * 3855];
        for (var i = 0; i < block.Length; i++)
        {
            block[i] = Pattern.Line[i % Pattern.Line.Length];
        }

        for (long sent = 0; sent < size; sent += block.Length)
        {
            var count = (int)Math.Min(block.Length, size - sent);
            if (chunked)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"{count:x}\r\n"), cancellation);
            }

            await stream.WriteAsync(block.AsMemory(0, count), cancellation);
            if (chunked)
            {
                await stream.WriteAsync("\r\n"u8.ToArray(), cancellation);
            }
        }

        if (chunked)
        {
            await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), cancellation);
        }
    }

    /// <summary>Buffered reads off the socket: the head, then a body checked against the pattern without keeping it.</summary>
    private sealed class Reader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;
        private long _position;

        public async Task<(int Status, Dictionary<string, string> Headers)> ReadHeadAsync()
        {
            var statusLine = await ReadLineAsync();
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var line = await ReadLineAsync(); line.Length > 0; line = await ReadLineAsync())
            {
                var parts = line.Split(':', 2);
                headers[parts[0].Trim().ToLowerInvariant()] = parts[1].Trim();
            }

            return (int.Parse(statusLine.Split(' ')[1], CultureInfo.InvariantCulture), headers);
        }

        public async Task<long> VerifyChunkedAsync()
        {
            while (true)
            {
                var size = long.Parse((await ReadLineAsync()).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    return _position;
                }

                if (await VerifyAsync(size) != size)
                {
                    Assert.Fail($"The connection ended inside a chunk, after {_position} body bytes.");
                }

                await ReadLineAsync();
            }
        }

        /// <summary>Checks up to <paramref name="count"/> body bytes (fewer if the connection ends); returns how many there were.</summary>
        public async Task<long> VerifyAsync(long count)
        {
            long verified = 0;
            while (verified < count && await FillAsync())
            {
                var take = (int)Math.Min(_end - _start, count - verified);
                for (var i = 0; i < take; i++, _position++)
                {
                    if (_buffer[_start + i] != Pattern.Line[_position % Pattern.Line.Length])
                    {
                        Assert.Fail($"Response body byte {_position} is {_buffer[_start + i]}, expected {Pattern.Line[_position % Pattern.Line.Length]}.");
                    }
                }

                _start += take;
                verified += take;
            }

            return verified;
        }

        private async Task<string> ReadLineAsync()
        {
            var line = new StringBuilder();
            while (await FillAsync())
            {
                var b = _buffer[_start++];
                if (b == '\n')
                {
                    return line.ToString().TrimEnd('\r');
                }

                line.Append((char)b);
            }

            Assert.Fail($"The connection ended inside a line, after {_position} body bytes: \"{line}\".");
            return "";
        }

        private async Task<bool> FillAsync()
        {
            if (_start < _end)
            {
                return true;
            }

            _start = 0;
            _end = await stream.ReadAsync(_buffer, TestContext.Current.CancellationToken);
            return _end > 0;
        }
    }
}

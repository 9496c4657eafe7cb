using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EventCore.FunctionalTests.Infrastructure;

/// <summary>
/// A raw TCP client for HTTP/1.x transcripts: writes exact bytes, reads responses with their real
/// framing (Content-Length, chunked, or until close), and tells whether the server closed the connection.
/// Every read is bounded by <see cref="ReadTimeout"/>; a timeout reports what had been received.
/// </summary>
public sealed class RawConnection : IDisposable
{
    private const int MaxLineLength = 1024 * 1024;

    private readonly Socket _socket;
    private readonly MemoryStream _transcript = new();
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private bool _closedByServer;

    private RawConnection(Socket socket) => _socket = socket;

    /// <summary>How long one read may wait for the server.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Whether a read saw the server close (FIN or RST).</summary>
    public bool ClosedByServer => _closedByServer;

    /// <summary>Opens a connection with Nagle off, so small writes go out as written.</summary>
    public static Task<RawConnection> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
        => ConnectAsync(new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }, endPoint, cancellationToken);

    /// <summary>Opens a connection to a Unix domain socket (or, for an IP endpoint, as <see cref="ConnectAsync(IPEndPoint, CancellationToken)"/>).</summary>
    public static Task<RawConnection> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken)
        => endPoint is IPEndPoint ip
            ? ConnectAsync(ip, cancellationToken)
            : ConnectAsync(new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Unspecified), endPoint, cancellationToken);

    /// <summary>
    /// Connects until a connection is refused (the listener is closed) or <paramref name="timeout"/> passes, and returns
    /// null, or what the last try got. A server closes its listener a moment after its stop begins: one try at a fixed
    /// time after it would fail on a stalled machine.
    /// </summary>
    public static async Task<string?> WaitUntilRefusedAsync(IPEndPoint endPoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var error = await Record.ExceptionAsync(async () => (await ConnectAsync(endPoint, cancellationToken)).Dispose());
            if (error is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return null;
            }

            if (DateTime.UtcNow > deadline)
            {
                return error is null ? "a connection" : $"{error.GetType().Name}: {error.Message}";
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Sends the string as Latin-1 bytes (one byte per char), in one write.</summary>
    public Task SendAsync(string text, CancellationToken cancellationToken) =>
        SendAsync(Encoding.Latin1.GetBytes(text), cancellationToken);

    /// <summary>Sends the bytes (possibly in several kernel writes, as the socket accepts them).</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Sends one byte per write, pausing between writes so each tends to arrive in its own segment.</summary>
    public async Task SendByteByByteAsync(string text, TimeSpan pause, CancellationToken cancellationToken)
    {
        foreach (var b in Encoding.Latin1.GetBytes(text))
        {
            await SendAsync(new[] { b }, cancellationToken);
            await Task.Delay(pause, cancellationToken);
        }
    }

    /// <summary>Half-closes: tells the server no more bytes will come.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>
    /// Reads one response. A 1xx interim response is returned on its own (read again for the final one).
    /// HEAD responses, 1xx, 204 and 304 have no body whatever their headers say.
    /// </summary>
    public async Task<RawResponse> ReadResponseAsync(CancellationToken cancellationToken, bool isHeadRequest = false)
    {
        var response = await ReadHeadAsync(cancellationToken);
        if (isHeadRequest || response.StatusCode is < 200 or 204 or 304)
        {
            return response;
        }

        var transferEncoding = response.GetValues("Transfer-Encoding").ToList();
        if (transferEncoding.Count > 0)
        {
            if (!transferEncoding[^1].Trim().EndsWith("chunked", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"Response with a non-chunked final transfer coding:\n{response}");
            }

            response.IsChunked = true;
            response.Body = await ReadChunkedBodyAsync(cancellationToken);
        }
        else if (response["Content-Length"] is { } contentLength)
        {
            var length = long.Parse(contentLength, NumberStyles.None, CultureInfo.InvariantCulture);
            response.Body = await ReadExactlyAsync(checked((int)length), cancellationToken);
        }
        else
        {
            response.IsCloseDelimited = true;
            response.Body = await ReadToEndAsync(cancellationToken);
        }

        return response;
    }

    /// <summary>Reads a status line and header section only (the body is left to the caller).</summary>
    public async Task<RawResponse> ReadHeadAsync(CancellationToken cancellationToken)
    {
        var statusLine = await ReadLineAsync(cancellationToken);
        return ParseHead(statusLine, await ReadHeaderLinesAsync(cancellationToken));
    }

    /// <summary>Reads a whole chunked body (after <see cref="ReadHeadAsync"/>), trailers included.</summary>
    public async Task<byte[]> ReadChunkedBodyAsync(CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        for (var chunk = await ReadChunkAsync(cancellationToken); chunk.Length > 0; chunk = await ReadChunkAsync(cancellationToken))
        {
            body.Write(chunk);
        }

        return body.ToArray();
    }

    /// <summary>Reads one chunk and returns its data; the last chunk (with its trailer section) returns empty.</summary>
    public async Task<byte[]> ReadChunkAsync(CancellationToken cancellationToken)
    {
        var sizeLine = await ReadLineAsync(cancellationToken);
        var sizeText = sizeLine.Split(';', 2)[0].Trim(' ', '\t');
        if (!int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
        {
            throw new InvalidDataException($"Malformed chunk size line: '{sizeLine}'");
        }

        if (size == 0)
        {
            await ReadHeaderLinesAsync(cancellationToken); // trailer section, ends with an empty line
            return [];
        }

        var data = await ReadExactlyAsync(size, cancellationToken);
        if (await ReadLineAsync(cancellationToken) is { Length: > 0 } junk)
        {
            throw new InvalidDataException($"Chunk data not followed by CRLF: '{junk}'");
        }

        return data;
    }

    /// <summary>Reads until the server closes; returns the bytes not yet consumed by earlier reads.</summary>
    public async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken)
    {
        while (await FillAsync(cancellationToken))
        {
        }

        var rest = _buffer.AsSpan(_start, _end - _start).ToArray();
        _start = _end;
        return rest;
    }

    /// <summary>
    /// Waits up to <paramref name="within"/> for the server to close the connection, and fails when it sends
    /// more bytes first. Returns false when the connection is still open at the deadline.
    /// </summary>
    public async Task<bool> WaitForServerCloseAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(within);
        try
        {
            var rest = await ReadToEndAsync(deadline.Token);
            if (rest.Length > 0)
            {
                throw new InvalidDataException($"Expected the server to close, but it sent {rest.Length} more bytes first:\n{Escape(rest)}");
            }

            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Whether the connection is still open and silent after <paramref name="wait"/> (no bytes, no close).</summary>
    public async Task<bool> StaysOpenAndSilentForAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        await Task.Delay(wait, cancellationToken);
        if (_end > _start || _closedByServer)
        {
            return false;
        }

        // Readable with nothing pending means the peer closed; readable with data means unexpected bytes.
        return !_socket.Poll(0, SelectMode.SelectRead);
    }

    /// <summary>Everything received so far, escaped, for assertion messages.</summary>
    public string Transcript => Escape(_transcript.ToArray());

    /// <inheritdoc />
    public void Dispose()
    {
        _socket.Dispose();
        _transcript.Dispose();
    }

    private static async Task<RawConnection> ConnectAsync(Socket socket, EndPoint endPoint, CancellationToken cancellationToken)
    {
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new RawConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static RawResponse ParseHead(string statusLine, List<KeyValuePair<string, string>> headers)
    {
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || parts[1].Length != 3
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new InvalidDataException($"Malformed status line: '{statusLine}'");
        }

        return new RawResponse(parts[0], status, parts.Length > 2 ? parts[2] : "", headers);
    }

    private async Task<List<KeyValuePair<string, string>>> ReadHeaderLinesAsync(CancellationToken cancellationToken)
    {
        var headers = new List<KeyValuePair<string, string>>();
        for (var line = await ReadLineAsync(cancellationToken); line.Length > 0; line = await ReadLineAsync(cancellationToken))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line[0] is ' ' or '\t' || line[colon - 1] is ' ' or '\t')
            {
                throw new InvalidDataException($"Malformed response header line: '{line}'");
            }

            headers.Add(new(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }

        return headers;
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var scanned = 0;
        while (true)
        {
            var index = _buffer.AsSpan(_start + scanned, _end - _start - scanned).IndexOf("\r\n"u8);
            if (index >= 0)
            {
                var line = Encoding.Latin1.GetString(_buffer, _start, scanned + index);
                _start += scanned + index + 2;
                return line;
            }

            scanned = Math.Max(0, _end - _start - 1);
            if (scanned > MaxLineLength || !await FillAsync(cancellationToken))
            {
                throw new IOException($"The server closed the connection (or sent a {scanned}-byte line) before a line ended. Received so far:\n{Transcript}");
            }
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var result = new byte[count];
        var copied = 0;
        while (copied < count)
        {
            if (_end == _start && !await FillAsync(cancellationToken))
            {
                throw new IOException($"The server closed the connection after {copied} of {count} body bytes.");
            }

            var n = Math.Min(count - copied, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(result.AsSpan(copied));
            _start += n;
            copied += n;
        }

        return result;
    }

    /// <summary>Receives more bytes; false once the server has closed (FIN or reset).</summary>
    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_closedByServer)
        {
            return false;
        }

        MakeRoom();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadTimeout);
        int received;
        try
        {
            received = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, timeout.Token);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            received = 0;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No bytes from the server for {ReadTimeout.TotalSeconds:0.#} s. Received so far:\n{Transcript}");
        }

        if (received == 0)
        {
            _closedByServer = true;
            return false;
        }

        if (_transcript.Length < 64 * 1024)
        {
            _transcript.Write(_buffer, _end, received);
        }

        _end += received;
        return true;
    }

    private void MakeRoom()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }

        if (_end < _buffer.Length)
        {
            return;
        }

        var live = _end - _start;
        if (live > _buffer.Length / 2)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        Buffer.BlockCopy(_buffer, _start, _buffer, 0, live);
        _start = 0;
        _end = live;
    }

    private static string Escape(byte[] bytes) =>
        Encoding.Latin1.GetString(bytes).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n\n", StringComparison.Ordinal);
}

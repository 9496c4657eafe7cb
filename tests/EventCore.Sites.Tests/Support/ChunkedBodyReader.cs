using System.Globalization;
using System.Text;

namespace EventCore.Sites.Tests.Support;

/// <summary>
/// Reads a response off a raw stream as it arrives: the head, then a chunked body handed over piece by piece, so a
/// test can read a response while it is still sending the request (what HttpClient does not do over HTTP/1.1).
/// </summary>
internal sealed class ChunkedBodyReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>The response head (status line and fields), without the empty line.</summary>
    public async Task<string> ReadHeadAsync(CancellationToken cancellation) => await ReadLineUntilEmptyAsync(cancellation);

    /// <summary>Calls <paramref name="onData"/> with each piece of the chunked body until its last chunk; returns the body's length.</summary>
    public async Task<long> ReadChunkedBodyAsync(Action<ReadOnlyMemory<byte>> onData, CancellationToken cancellation)
    {
        long total = 0;
        while (true)
        {
            var sizeLine = await ReadLineAsync(cancellation);
            var size = long.Parse(sizeLine.Split(';')[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                await ReadLineUntilEmptyAsync(cancellation);
                return total;
            }

            while (size > 0)
            {
                await FillAsync(cancellation);
                var n = (int)Math.Min(size, _end - _start);
                onData(_buffer.AsMemory(_start, n));
                (_start, size, total) = (_start + n, size - n, total + n);
            }

            Assert.Equal("", await ReadLineAsync(cancellation));
        }
    }

    private async Task<string> ReadLineUntilEmptyAsync(CancellationToken cancellation)
    {
        var lines = new StringBuilder();
        for (var line = await ReadLineAsync(cancellation); line.Length > 0; line = await ReadLineAsync(cancellation))
        {
            lines.Append(line).Append("\r\n");
        }

        return lines.ToString();
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellation)
    {
        var line = new StringBuilder();
        while (true)
        {
            await FillAsync(cancellation);
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var stop = newline < 0 ? _end : newline;
            line.Append(Encoding.Latin1.GetString(_buffer, _start, stop - _start));
            _start = newline < 0 ? _end : newline + 1;
            if (newline >= 0)
            {
                return line.ToString().TrimEnd('\r');
            }
        }
    }

    private async Task FillAsync(CancellationToken cancellation)
    {
        if (_start < _end)
        {
            return;
        }

        _start = 0;
        _end = await stream.ReadAsync(_buffer, cancellation);
        Assert.True(_end > 0, "the server closed the connection before the response ended");
    }
}

using System.Buffers;
using System.IO.Pipelines;

namespace EventCore.Server.Tls;

/// <summary>
/// The transport's pipes as the <see cref="Stream"/> an SslStream runs over. Until <see cref="HandshakeCompleted"/>,
/// a read that completes on a thread that is not the thread pool's (an epoll loop, when the app runs inline) moves to
/// the thread pool before returning, so the handshake's crypto never runs on a loop. After it, reads continue where
/// they complete (decrypting a request costs about what parsing it does). Writes go into the output pipe and are
/// flushed by <see cref="FlushAsync(CancellationToken)"/> (the TLS pipe's writer flushes after a batch of records),
/// or when 64 KiB are waiting; during the handshake every write is flushed at once.
/// </summary>
internal sealed class DuplexPipeStream(IDuplexPipe transport) : Stream
{
    private const int MaxUnflushedBytes = 64 * 1024;

    private readonly PipeReader _input = transport.Input;
    private readonly PipeWriter _output = transport.Output;
    private volatile bool _handshaking = true;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>From now on reads stay on the thread they complete on.</summary>
    public void HandshakeCompleted() => _handshaking = false;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var result = await _input.ReadAsync(cancellationToken);
        if (_handshaking && !Thread.CurrentThread.IsThreadPoolThread)
        {
            await Task.Yield(); // off the loop: the handshake's crypto runs on the thread pool
        }

        var readable = result.Buffer;
        if (buffer.Length == 0)
        {
            // A zero-byte read (SslStream's wait for data without holding a buffer): report data without consuming it.
            _input.AdvanceTo(readable.Start);
            return 0;
        }

        var count = (int)Math.Min(readable.Length, buffer.Length);
        readable.Slice(0, count).CopyTo(buffer.Span);
        _input.AdvanceTo(readable.GetPosition(count));
        if (count == 0 && result.IsCanceled)
        {
            throw new OperationCanceledException("The read was canceled.");
        }

        return count;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _output.Write(buffer.Span);
        if (_handshaking || _output.UnflushedBytes >= MaxUnflushedBytes)
        {
            await FlushAsync(cancellationToken);
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        // A completed result means the transport stopped sending (the peer is gone): the bytes are dropped, as a
        // write to a closed Kestrel connection is; the read side ends the connection.
        await _output.FlushAsync(cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => throw new NotSupportedException("Synchronous I/O on a connection is not supported.");

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Synchronous I/O on a connection is not supported.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Synchronous I/O on a connection is not supported.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

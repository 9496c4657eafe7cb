using System.Buffers;
using System.IO.Pipelines;

namespace EventCore.Server.Http1;

/// <summary>
/// The raw duplex stream an upgraded request gets: reads the transport input, writes and flushes the transport
/// output. Owned by the app until its request returns; disposing it does not close the connection (the
/// connection closes when the request ends).
/// </summary>
internal sealed class UpgradeStream(PipeReader input, PipeWriter output) : Stream
{
    private readonly PipeReader _input = input;
    private readonly PipeWriter _output = output;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken);
            var available = result.Buffer;
            if (available.IsEmpty && !result.IsCompleted)
            {
                // A canceled read (shutdown while idle raced with the upgrade): not the app's; read again.
                _input.AdvanceTo(available.Start);
                continue;
            }

            var count = (int)Math.Min(available.Length, buffer.Length);
            available.Slice(0, count).CopyTo(buffer.Span);
            _input.AdvanceTo(available.GetPosition(count));
            return count;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        => await _output.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken) => await _output.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use ReadAsync.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use WriteAsync.");

    public override void Flush() => throw new NotSupportedException("Use FlushAsync.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

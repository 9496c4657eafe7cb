using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace EventCore.Server.Http1;

/// <summary>
/// <c>HttpRequest.Body</c> over the connection's <see cref="RequestBodyReader"/> (one per connection, reused).
/// Synchronous reads throw unless AllowSynchronousIO.
/// </summary>
internal sealed class RequestBodyStream(Http1Exchange connection, PipeReader reader) : ReadOnlyStream
{
    private readonly Http1Exchange _connection = connection;
    private readonly PipeReader _reader = reader;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var result = await _reader.ReadAsync(cancellationToken);
        if (result.IsCanceled)
        {
            _reader.AdvanceTo(result.Buffer.Start);
            throw new OperationCanceledException("The read was canceled.");
        }

        var available = result.Buffer;
        var count = (int)Math.Min(available.Length, buffer.Length);
        var slice = available.Slice(0, count);
        slice.CopyTo(buffer.Span);
        _reader.AdvanceTo(slice.End);
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        ThrowIfSynchronousIODisallowed(_connection, nameof(ReadAsync));
        // Allowed by the app: block on the async path, as Kestrel does.
        return ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    }

    public override Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
        => _reader.CopyToAsync(destination, cancellationToken);
}

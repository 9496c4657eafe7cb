using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace EventCore.Server.Http1;

/// <summary>
/// <c>HttpResponse.BodyWriter</c>: hands out the output pipe's own memory (zero copy) and applies the response
/// framing on <see cref="Advance"/>. One per connection, reused; request thread only.
/// </summary>
internal sealed class ResponseBodyWriter(Http1Exchange connection) : PipeWriter
{
    private readonly Http1Exchange _connection = connection;

    /// <summary>System.Text.Json's PipeWriter serializer needs this to decide when to flush.</summary>
    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _connection.UnflushedBodyBytes;

    public override Memory<byte> GetMemory(int sizeHint = 0) => _connection.GetBodyMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => _connection.GetBodyMemory(sizeHint).Span;

    public override void Advance(int bytes) => _connection.AdvanceBody(bytes);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        => _connection.FlushBodyAsync(cancellationToken);

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        => _connection.WriteBodyAsync(source, cancellationToken);

    /// <summary>Completing the writer does not end the response early; the request's end does (like Kestrel).</summary>
    public override void Complete(Exception? exception = null)
    {
    }

    public override void CancelPendingFlush() => _connection.CancelPendingFlush();
}

/// <summary>
/// <c>HttpResponse.Body</c> over <see cref="ResponseBodyWriter"/>. Synchronous writes throw unless AllowSynchronousIO.
/// </summary>
internal sealed class ResponseBodyStream(Http1Exchange connection, ResponseBodyWriter writer) : WriteOnlyStream
{
    private readonly Http1Exchange _connection = connection;
    private readonly ResponseBodyWriter _writer = writer;

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        => IgnoreResult(_writer.WriteAsync(buffer, cancellationToken));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => IgnoreResult(_writer.FlushAsync(cancellationToken)).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfSynchronousIODisallowed(_connection);
        // Allowed by the app: block on the async path, as Kestrel does.
        WriteAsync(buffer.ToArray()).AsTask().GetAwaiter().GetResult();
    }

    public override void Flush()
    {
        ThrowIfSynchronousIODisallowed(_connection);
        FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>The flush's result is not the stream's business; a flush done already costs no state machine.</summary>
    private static ValueTask IgnoreResult(ValueTask<FlushResult> flush)
    {
        if (flush.IsCompletedSuccessfully)
        {
            flush.GetAwaiter().GetResult(); // completed: does not block; gives a pooled source back
            return default;
        }

        return AwaitFlushAsync(flush);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask AwaitFlushAsync(ValueTask<FlushResult> flush) => await flush;
}

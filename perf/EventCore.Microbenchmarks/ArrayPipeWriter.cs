using System.IO.Pipelines;

namespace EventCore.Microbenchmarks;

/// <summary>
/// A <see cref="PipeWriter"/> over one reused array, so a benchmark measures what is written into the spans and not
/// the pipe's segments or flushing. Writing past the array throws: size it for one benchmark invocation.
/// </summary>
internal sealed class ArrayPipeWriter(int capacity) : PipeWriter
{
    private readonly byte[] _buffer = new byte[capacity];

    public int Written { get; private set; }

    public void Reset() => Written = 0;

    public override void Advance(int bytes) => Written += bytes;

    public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(Written);

    public override Span<byte> GetSpan(int sizeHint = 0) => _buffer.AsSpan(Written);

    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => default;
}

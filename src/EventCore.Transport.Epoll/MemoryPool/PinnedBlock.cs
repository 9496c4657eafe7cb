using System.Buffers;
using System.Runtime.CompilerServices;

namespace EventCore.Transport.Epoll.MemoryPool;

/// <summary>
/// One 4 KB block of a pinned slab. Pin() is free: the slab lives on the pinned object heap and never moves,
/// so the pointer is taken directly (the one pointer outside Interop/, for that reason).
/// Disposing returns the block to its pool; the Pipe disposes each block exactly once.
/// </summary>
internal sealed class PinnedBlock : MemoryManager<byte>
{
    private readonly PinnedBlockMemoryPool _pool;
    private readonly byte[] _slab;
    private readonly int _offset;

    public PinnedBlock(PinnedBlockMemoryPool pool, byte[] slab, int offset)
    {
        _pool = pool;
        _slab = slab;
        _offset = offset;
    }

    /// <inheritdoc />
    public override Span<byte> GetSpan() => _slab.AsSpan(_offset, PinnedBlockMemoryPool.BlockSize);

    /// <inheritdoc />
    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)elementIndex, (uint)PinnedBlockMemoryPool.BlockSize);
        return new MemoryHandle(Unsafe.AsPointer(ref _slab[_offset + elementIndex]), default, this);
    }

    /// <inheritdoc />
    public override void Unpin()
    {
        // Nothing to undo: the slab is permanently pinned.
    }

    /// <inheritdoc />
    protected override bool TryGetArray(out ArraySegment<byte> segment)
    {
        segment = new ArraySegment<byte>(_slab, _offset, PinnedBlockMemoryPool.BlockSize);
        return true;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing) => _pool.Return(this);
}

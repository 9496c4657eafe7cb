using System.Buffers;
using System.Collections.Concurrent;

namespace EventCore.Transport.Epoll.MemoryPool;

/// <summary>
/// A pool of 4 KB blocks cut from pinned (POH) slabs, so the loop can hand their memory to recv/writev
/// without pinning cost. Rent and return are thread-safe (pipes return blocks from the app's thread too);
/// one pool per loop keeps contention local. Blocks are never freed while the pool lives: memory stays at its
/// high-water mark, like Kestrel's pool.
/// </summary>
internal sealed class PinnedBlockMemoryPool : MemoryPool<byte>
{
    /// <summary>The size of every block.</summary>
    public const int BlockSize = 4096;

    private const int BlocksPerSlab = 32;

    private readonly ConcurrentQueue<PinnedBlock> _blocks = new();
    private volatile bool _disposed;

    /// <inheritdoc />
    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks currently idle in the pool (for tests and diagnostics).</summary>
    internal int IdleBlockCount => _blocks.Count;

    /// <inheritdoc />
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _blocks.TryDequeue(out PinnedBlock? block) ? block : AllocateSlab();
    }

    /// <summary>Called by a block when its owner disposes it.</summary>
    internal void Return(PinnedBlock block)
    {
        if (!_disposed)
        {
            _blocks.Enqueue(block);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _blocks.Clear();
    }

    private PinnedBlock AllocateSlab()
    {
        byte[] slab = GC.AllocateUninitializedArray<byte>(BlockSize * BlocksPerSlab, pinned: true);
        for (int i = 1; i < BlocksPerSlab; i++)
        {
            _blocks.Enqueue(new PinnedBlock(this, slab, i * BlockSize));
        }
        return new PinnedBlock(this, slab, 0);
    }
}

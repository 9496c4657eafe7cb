using System.Buffers;
using EventCore.Transport.Epoll.MemoryPool;

namespace EventCore.Transport.Epoll.Tests;

public class MemoryPoolTests
{
    [Fact]
    public unsafe void Blocks_are_4_KB_pinned_and_reused()
    {
        using var pool = new PinnedBlockMemoryPool();
        Assert.Equal(4096, pool.MaxBufferSize);
        IMemoryOwner<byte> block = pool.Rent();
        Assert.Equal(4096, block.Memory.Length);
        using (MemoryHandle pin = block.Memory.Pin())
        {
            fixed (byte* p = block.Memory.Span)
            {
                Assert.Equal((nint)p, (nint)pin.Pointer);
            }
        }
        int idle = pool.IdleBlockCount;
        block.Dispose();
        Assert.Equal(idle + 1, pool.IdleBlockCount);
        using IMemoryOwner<byte> again = pool.Rent();
        Assert.Equal(idle, pool.IdleBlockCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(8192));
    }
}

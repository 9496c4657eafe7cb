using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    /// <summary>IOV_MAX on Linux: the most segments one writev takes.</summary>
    internal const int MaxIoVectors = 1024;

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    [LibraryImport(Libc, EntryPoint = "writev", SetLastError = true)]
    private static unsafe partial nint WritevRaw(int fd, IoVector* vectors, int count);

    /// <summary>
    /// writev of the first segments of <paramref name="buffer"/> (at most <see cref="MaxIoVectors"/>) in one call,
    /// EINTR retried; <paramref name="offered"/> is the byte count handed to the kernel. <paramref name="pins"/> is the caller's scratch for the pin handles (loop-owned, no allocation).
    /// SIGPIPE cannot kill the process: the .NET runtime ignores SIGPIPE process-wide (a test checks it).
    /// </summary>
    [SkipLocalsInit]
    internal static unsafe long Writev(int fd, in ReadOnlySequence<byte> buffer, Span<MemoryHandle> pins, out long offered)
    {
        int max = Math.Min(pins.Length, MaxIoVectors);
        IoVector* vectors = stackalloc IoVector[max];
        int count = 0;
        offered = 0;
        foreach (ReadOnlyMemory<byte> segment in buffer)
        {
            if (segment.IsEmpty)
            {
                continue;
            }
            if (count == max)
            {
                break;
            }
            pins[count] = segment.Pin();
            vectors[count] = new IoVector { Base = pins[count].Pointer, Length = (nuint)segment.Length };
            offered += segment.Length;
            count++;
        }
        try
        {
            long result;
            do
            {
                result = WritevRaw(fd, vectors, count);
            }
            while (Interrupted(result));
            return result;
        }
        finally
        {
            for (int i = 0; i < count; i++)
            {
                pins[i].Dispose();
            }
        }
    }
}

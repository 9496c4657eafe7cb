using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    /// <summary>A 1024-CPU cpu_set_t in 64-bit words.</summary>
    internal const int CpuSetWords = 16;

    [LibraryImport(Libc, EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static unsafe partial int SchedSetaffinityRaw(int pid, nuint size, ulong* mask);

    [LibraryImport(Libc, EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static unsafe partial int SchedGetaffinityRaw(int pid, nuint size, ulong* mask);

    /// <summary>Pins the calling thread to one CPU (pid 0 = the calling thread).</summary>
    internal static int PinCurrentThreadToCpu(int cpu)
    {
        Span<ulong> mask = stackalloc ulong[CpuSetWords];
        mask.Clear();
        mask[(cpu / 64) % CpuSetWords] = 1UL << (cpu % 64);
        return SetCurrentThreadAffinity(mask);
    }

    /// <summary>Reads the calling thread's CPU mask (<see cref="CpuSetWords"/> words).</summary>
    internal static unsafe int GetCurrentThreadAffinity(Span<ulong> mask)
    {
        fixed (ulong* p = mask)
        {
            return SchedGetaffinityRaw(0, (nuint)(mask.Length * sizeof(ulong)), p) < 0 ? -1 : 0;
        }
    }

    /// <summary>Sets the calling thread's CPU mask.</summary>
    internal static unsafe int SetCurrentThreadAffinity(ReadOnlySpan<ulong> mask)
    {
        fixed (ulong* p = mask)
        {
            return SchedSetaffinityRaw(0, (nuint)(mask.Length * sizeof(ulong)), p);
        }
    }
}

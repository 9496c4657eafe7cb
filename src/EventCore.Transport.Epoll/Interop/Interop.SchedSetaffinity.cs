using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static unsafe partial int SchedSetaffinityRaw(int pid, nuint size, ulong* mask);

    /// <summary>Pins the calling thread to one CPU (pid 0 = the calling thread).</summary>
    internal static unsafe int PinCurrentThreadToCpu(int cpu)
    {
        const int Words = 16; // a 1024-CPU cpu_set_t
        ulong* mask = stackalloc ulong[Words];
        new Span<ulong>(mask, Words).Clear();
        mask[(cpu / 64) % Words] = 1UL << (cpu % 64);
        return SchedSetaffinityRaw(0, Words * sizeof(ulong), mask);
    }
}

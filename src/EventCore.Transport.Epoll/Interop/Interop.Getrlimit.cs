using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    /// <summary>RLIMIT_NOFILE: one more than the highest descriptor number the process may open.</summary>
    internal const int RlimitNofile = 7;

    /// <summary>struct rlimit (two rlim_t, unsigned 64-bit on x86-64 and arm64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport(Libc, EntryPoint = "getrlimit", SetLastError = true)]
    internal static partial int Getrlimit(int resource, out Rlimit limit);

    /// <summary>The soft limit on open descriptors, clamped to int (RLIM_INFINITY reads as int.MaxValue).</summary>
    internal static int GetDescriptorLimit()
        => Getrlimit(RlimitNofile, out Rlimit limit) == 0 ? (int)Math.Min(limit.Current, int.MaxValue) : int.MaxValue;
}

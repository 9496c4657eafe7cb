using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    internal const int EfdNonblock = 0x800;
    internal const int EfdCloexec = 0x80000;

    [LibraryImport(Libc, EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int Eventfd(uint initialValue, int flags);

    /// <summary>Reads (and so resets) the eventfd counter; -1 with EAGAIN when it was zero.</summary>
    [LibraryImport(Libc, EntryPoint = "eventfd_read", SetLastError = true)]
    internal static partial int EventfdRead(int fd, out ulong value);

    /// <summary>Adds <paramref name="value"/> to the eventfd counter, waking an epoll_wait on it.</summary>
    [LibraryImport(Libc, EntryPoint = "eventfd_write", SetLastError = true)]
    internal static partial int EventfdWrite(int fd, ulong value);
}

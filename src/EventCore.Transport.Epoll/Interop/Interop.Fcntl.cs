using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    private const int FDupFdCloexec = 1030; // F_DUPFD_CLOEXEC

    [LibraryImport(Libc, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlRaw(int fd, int command, int argument);

    /// <summary>fcntl(F_DUPFD_CLOEXEC): a second descriptor for the same open socket; returns it or -1.</summary>
    internal static int DupCloexec(int fd) => FcntlRaw(fd, FDupFdCloexec, 0);
}

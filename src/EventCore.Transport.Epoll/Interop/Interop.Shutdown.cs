using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    internal const int ShutWrite = 1;
    internal const int ShutReadWrite = 2;

    [LibraryImport(Libc, EntryPoint = "shutdown", SetLastError = true)]
    internal static partial int Shutdown(int fd, int how);
}

using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    internal const int AfUnix = 1;
    internal const int AfInet = 2;
    internal const int AfInet6 = 10;
    internal const int SockStream = 1;
    internal const int SockNonblock = 0x800;
    internal const int SockCloexec = 0x80000;

    [LibraryImport(Libc, EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);
}

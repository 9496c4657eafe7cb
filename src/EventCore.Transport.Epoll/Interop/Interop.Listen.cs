using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "listen", SetLastError = true)]
    internal static partial int Listen(int fd, int backlog);
}

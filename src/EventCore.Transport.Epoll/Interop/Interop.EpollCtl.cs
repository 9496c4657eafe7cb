using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

/// <summary>EPOLL_CTL_* operations.</summary>
internal enum EpollOperation
{
    Add = 1,
    Delete = 2,
    Modify = 3,
}

internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtlRaw(int epfd, EpollOperation op, int fd, ref EpollEvent ev);

    /// <summary>epoll_ctl; returns 0 or -1 with errno set.</summary>
    internal static int EpollCtl(int epfd, EpollOperation op, int fd, EpollEvents events, ulong data)
    {
        var ev = new EpollEvent { Events = events, Data = data };
        return EpollCtlRaw(epfd, op, fd, ref ev);
    }
}

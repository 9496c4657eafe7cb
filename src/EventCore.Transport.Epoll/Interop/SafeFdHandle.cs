using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

/// <summary>
/// Owns one file descriptor (epoll fd, eventfd, listening or connection socket) and closes it exactly once.
/// Hot paths pass the raw <see cref="Fd"/> to syscalls: the owner guarantees no call races the close
/// (all calls and the close happen on the owning loop thread).
/// </summary>
internal sealed class SafeFdHandle : SafeHandle
{
    public SafeFdHandle(int fd)
        : base(new IntPtr(-1), ownsHandle: true)
    {
        SetHandle(new IntPtr(fd));
    }

    public override bool IsInvalid => handle == new IntPtr(-1);

    /// <summary>The descriptor number.</summary>
    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => Interop.Close((int)handle) == 0;
}

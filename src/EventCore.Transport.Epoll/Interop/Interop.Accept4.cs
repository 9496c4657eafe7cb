using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "accept4", SetLastError = true)]
    private static unsafe partial int Accept4Raw(int fd, byte* address, ref int addressLength, int flags);

    /// <summary>accept4(SOCK_NONBLOCK | SOCK_CLOEXEC), EINTR retried; returns the new fd or -1.</summary>
    internal static unsafe int Accept4(int fd, Span<byte> address, out int addressLength)
    {
        fixed (byte* p = address)
        {
            int result;
            do
            {
                addressLength = address.Length;
                result = Accept4Raw(fd, p, ref addressLength, SockNonblock | SockCloexec);
            }
            while (Interrupted(result));
            return result;
        }
    }
}

using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "connect", SetLastError = true)]
    private static unsafe partial int ConnectRaw(int fd, byte* address, int addressLength);

    /// <summary>connect to a sockaddr produced by <see cref="SocketAddressCodec"/>, EINTR retried; 0 or -1.</summary>
    internal static unsafe int Connect(int fd, ReadOnlySpan<byte> address)
    {
        fixed (byte* p = address)
        {
            int result;
            do
            {
                result = ConnectRaw(fd, p, address.Length);
            }
            while (Interrupted(result));
            return result;
        }
    }
}

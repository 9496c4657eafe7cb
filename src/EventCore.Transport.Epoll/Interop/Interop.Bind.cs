using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "bind", SetLastError = true)]
    private static unsafe partial int BindRaw(int fd, byte* address, int addressLength);

    /// <summary>bind to a sockaddr produced by <see cref="SocketAddressCodec"/>.</summary>
    internal static unsafe int Bind(int fd, ReadOnlySpan<byte> address)
    {
        fixed (byte* p = address)
        {
            return BindRaw(fd, p, address.Length);
        }
    }
}

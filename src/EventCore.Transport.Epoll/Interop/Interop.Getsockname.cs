using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "getsockname", SetLastError = true)]
    private static unsafe partial int GetsocknameRaw(int fd, byte* address, ref int addressLength);

    /// <summary>getsockname into <paramref name="address"/>; returns the address length or -1.</summary>
    internal static unsafe int Getsockname(int fd, Span<byte> address)
    {
        int length = address.Length;
        fixed (byte* p = address)
        {
            return GetsocknameRaw(fd, p, ref length) == 0 ? length : -1;
        }
    }
}

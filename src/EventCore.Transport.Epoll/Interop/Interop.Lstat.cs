using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    private const uint FileTypeMask = 0xF000; // S_IFMT
    private const uint SocketFileType = 0xC000; // S_IFSOCK

    /// <summary>sizeof(struct stat) on x86-64 (the only layout the transport supports, see EpollPlatform).</summary>
    private const int StatSize = 144;

    [LibraryImport(Libc, EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int LstatRaw(string path, byte* buffer);

    /// <summary>
    /// lstat: whether <paramref name="path"/> exists, whether it is a socket and its inode (x86-64 layout:
    /// st_ino at offset 8, st_mode at 24). False with errno set when lstat failed (ENOENT: no such file).
    /// </summary>
    internal static unsafe bool Lstat(string path, out bool isSocket, out ulong inode)
    {
        byte* buffer = stackalloc byte[StatSize];
        if (LstatRaw(path, buffer) != 0)
        {
            isSocket = false;
            inode = 0;
            return false;
        }
        var stat = new ReadOnlySpan<byte>(buffer, StatSize);
        inode = BinaryPrimitives.ReadUInt64LittleEndian(stat[8..]);
        isSocket = (BinaryPrimitives.ReadUInt32LittleEndian(stat[24..]) & FileTypeMask) == SocketFileType;
        return true;
    }
}

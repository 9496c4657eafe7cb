using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    private const int OpenReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true)]
    private static unsafe partial int OpenRaw(byte* path, int flags);

    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadRaw(int fd, byte* buffer, nuint count);

    /// <summary>
    /// Reads the start of a small file (a /proc entry) into <paramref name="buffer"/> without allocating:
    /// <paramref name="path"/> is a NUL-terminated UTF-8 path. Returns the bytes read, or -1.
    /// </summary>
    internal static unsafe int ReadSmallFile(ReadOnlySpan<byte> path, Span<byte> buffer)
    {
        int fd;
        fixed (byte* p = path)
        {
            fd = OpenRaw(p, OpenReadOnlyCloseOnExec);
        }
        if (fd < 0)
        {
            return -1;
        }
        long read;
        fixed (byte* b = buffer)
        {
            do
            {
                read = ReadRaw(fd, b, (nuint)buffer.Length);
            }
            while (Interrupted(read));
        }
        Close(fd);
        return (int)read;
    }
}

using System.Runtime.InteropServices;
using System.Text;

namespace EventCore.Server.Http1;

/// <summary>
/// Opens and reads files with raw open/fstat/flock/pread/close, so a small static file costs no allocation per request
/// (File.OpenHandle allocates a SafeFileHandle and normalizes the path each time). Linux x64 only, like the server.
/// Stateless; any thread.
/// </summary>
internal static unsafe partial class SmallFile
{
    private const string Libc = "libc";
    private const int ReadOnly = 0;
    private const int NonBlocking = 0x800; // a FIFO must not block the open; reading it then fails and the managed path takes over
    private const int CloseOnExec = 0x80000;
    private const int MaxPathBytes = 4096;
    private const int SharedLockNoWait = 1 | 4; // LOCK_SH | LOCK_NB, as .NET takes it for FileShare.Read*

    // struct stat on x86-64 Linux: 144 bytes, st_mode at 24, st_size at 48.
    private const int StatSize = 144;
    private const int StatModeOffset = 24;
    private const int StatSizeOffset = 48;
    private const uint FileTypeMask = 0xF000;
    private const uint RegularFile = 0x8000;

    /// <summary>
    /// Opens <paramref name="path"/> for reading if it is a regular file; -1 otherwise (absent, a folder, a path with a
    /// NUL, no permission…): the caller then opens it the managed way, which throws the exception .NET code expects.
    /// </summary>
    public static int TryOpenRegular(string path, out long size)
    {
        size = 0;
        if (path.Length == 0 || path.Contains('\0') || Encoding.UTF8.GetMaxByteCount(path.Length) >= MaxPathBytes)
        {
            return -1;
        }

        Span<byte> bytes = stackalloc byte[MaxPathBytes];
        bytes[Encoding.UTF8.GetBytes(path, bytes)] = 0;
        int fd;
        fixed (byte* p = bytes)
        {
            fd = Open(p, ReadOnly | NonBlocking | CloseOnExec);
        }

        if (fd < 0)
        {
            return -1;
        }

        // The advisory lock .NET takes too: a file another .NET process opened with FileShare.None is refused the
        // same way (the managed path then throws the sharing violation). close() releases it.
        byte* stat = stackalloc byte[StatSize];
        if (FStat(fd, stat) != 0 || (*(uint*)(stat + StatModeOffset) & FileTypeMask) != RegularFile || FLock(fd, SharedLockNoWait) != 0)
        {
            Close(fd);
            return -1;
        }

        size = *(long*)(stat + StatSizeOffset);
        return fd;
    }

    /// <summary>pread: bytes read (0 at the end of the file); throws on an error.</summary>
    public static int Read(int fd, Span<byte> buffer, long offset)
    {
        while (true)
        {
            nint read;
            fixed (byte* p = buffer)
            {
                read = PRead(fd, p, (nuint)buffer.Length, offset);
            }

            if (read >= 0)
            {
                return (int)read;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != 4) // EINTR
            {
                throw new IOException($"Reading the file failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
            }
        }
    }

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true)]
    private static partial int Open(byte* path, int flags);

    [LibraryImport(Libc, EntryPoint = "fstat", SetLastError = true)]
    private static partial int FStat(int fd, byte* stat);

    [LibraryImport(Libc, EntryPoint = "flock", SetLastError = true)]
    private static partial int FLock(int fd, int operation);

    [LibraryImport(Libc, EntryPoint = "pread", SetLastError = true)]
    private static partial nint PRead(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);
}

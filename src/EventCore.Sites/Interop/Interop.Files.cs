using System.Runtime.InteropServices;

namespace EventCore.Sites.Interop;

/// <summary>
/// The calls of the static-file fast path (<see cref="Serving.FileOpener"/>): openat2, fstat, pread, close. Linux
/// x86-64 only (the layout of <see cref="FileStatus"/>); the callers check <see cref="IsSupported"/> first.
/// </summary>
internal static partial class Libc
{
    private const string Name = "libc";
    private const long SysOpenAt2 = 437;

    /// <summary>Whether these bindings fit this process (the struct stat layout is x86-64's).</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary>
    /// openat2(2) (Linux 5.6): <paramref name="path"/> must end in a NUL byte. -1 and errno on failure; ENOSYS or
    /// EPERM when the kernel or a seccomp filter does not offer it.
    /// </summary>
    public static int OpenAt2(int directory, ReadOnlySpan<byte> path, in OpenHow how)
    {
        while (true)
        {
            var fd = (int)Syscall(SysOpenAt2, directory, path, in how, (nuint)Marshal.SizeOf<OpenHow>());
            if (fd >= 0 || Marshal.GetLastPInvokeError() != Errno.EINTR)
            {
                return fd;
            }
        }
    }

    /// <summary>pread(2), EINTR retried: bytes read (0 at the end of the file) or -1.</summary>
    public static nint PRead(int fd, Span<byte> buffer, long offset)
    {
        while (true)
        {
            var read = PReadRaw(fd, buffer, (nuint)buffer.Length, offset);
            if (read >= 0 || Marshal.GetLastPInvokeError() != Errno.EINTR)
            {
                return read;
            }
        }
    }

    /// <summary>fstat(2) into the x86-64 struct stat.</summary>
    [LibraryImport(Name, EntryPoint = "fstat", SetLastError = true)]
    public static partial int FStat(int fd, out FileStatus status);

    /// <summary>close(2). Never retried on EINTR: on Linux the fd is released even then.</summary>
    [LibraryImport(Name, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    // syscall(2) is variadic; its x86-64 glibc implementation only moves the integer registers, so a fixed
    // signature of integer and pointer arguments calls it correctly.
    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, int directory, ReadOnlySpan<byte> path, in OpenHow how, nuint size);

    [LibraryImport(Name, EntryPoint = "pread", SetLastError = true)]
    private static partial nint PReadRaw(int fd, Span<byte> buffer, nuint count, long offset);

    /// <summary>The errno values the fast path reacts to.</summary>
    public static class Errno
    {
        public const int EPERM = 1;
        public const int ENOENT = 2;
        public const int EINTR = 4;
        public const int ENOTDIR = 20;
        public const int ENOSYS = 38;
    }
}

/// <summary>struct open_how of openat2(2).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct OpenHow
{
    public const ulong ReadOnlyNonBlockingCloseOnExec = 0x800 | 0x80000; // O_RDONLY | O_NONBLOCK | O_CLOEXEC
    public const ulong ResolveNoSymlinks = 0x04;
    public const ulong ResolveNoMagicLinks = 0x02;

    public ulong Flags;
    public ulong Mode;
    public ulong Resolve;
}

/// <summary>struct stat on x86-64 Linux (144 bytes); only the fields the static files read are named.</summary>
[StructLayout(LayoutKind.Explicit, Size = 144)]
internal struct FileStatus
{
    public const uint TypeMask = 0xF000;
    public const uint Regular = 0x8000;
    public const uint Directory = 0x4000;

    [FieldOffset(24)]
    public uint Mode;

    [FieldOffset(48)]
    public long Size;

    [FieldOffset(88)]
    public long ModifiedSeconds;

    public readonly uint Type => Mode & TypeMask;
}

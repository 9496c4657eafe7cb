using System.Runtime.InteropServices;
using System.Text;
using EventCore.Sites.Interop;

namespace EventCore.Sites.Serving;

/// <summary>What <see cref="FileOpener.Open"/> found.</summary>
internal enum OpenedFile
{
    /// <summary>A regular file, open: the caller owns the descriptor.</summary>
    Regular,

    /// <summary>A folder (nothing left open).</summary>
    Folder,

    /// <summary>Nothing at that path (ENOENT, ENOTDIR).</summary>
    Missing,

    /// <summary>Anything else — a symlink on the way, no permission, a special file, no openat2: the general path decides.</summary>
    Undecided,
}

/// <summary>
/// The static files' fast lookup, nginx's open + fstat: one <c>openat2</c> of the folder's real path joined with the
/// request's relative path, with <c>RESOLVE_NO_SYMLINKS</c>, then one <c>fstat</c>. A file opened so is inside the
/// folder by construction (the real path has no symlink, the kernel followed none, and a path with a <c>..</c>
/// segment is never tried), so it needs no realpath check. Whatever this cannot decide without following a symlink
/// (or on a kernel without openat2) is <see cref="OpenedFile.Undecided"/> and takes the general path, which resolves
/// and checks symlinks as before. Stateless but for the one-way "openat2 is missing" flag; any thread.
/// </summary>
internal static class FileOpener
{
    private const int CurrentDirectory = -100; // AT_FDCWD
    private const int MaxPathBytes = 4096;

    private static bool s_unavailable = !Libc.IsSupported;

    /// <param name="realFolder">The served folder's real path (<see cref="PathSafety.RealFolder"/>), no trailing slash needed.</param>
    /// <param name="relative">The request's path below it, starting with <c>/</c>.</param>
    /// <param name="fd">The open file for <see cref="OpenedFile.Regular"/>, else -1.</param>
    /// <param name="status">Its fstat, for <see cref="OpenedFile.Regular"/>.</param>
    public static OpenedFile Open(string realFolder, string relative, out int fd, out FileStatus status)
    {
        fd = -1;
        status = default;
        if (s_unavailable || HasParentSegmentOrNul(relative)
            || Encoding.UTF8.GetMaxByteCount(realFolder.Length + relative.Length) >= MaxPathBytes)
        {
            return OpenedFile.Undecided;
        }

        Span<byte> path = stackalloc byte[MaxPathBytes];
        var length = Encoding.UTF8.GetBytes(realFolder.AsSpan().TrimEnd('/'), path);
        length += Encoding.UTF8.GetBytes(relative, path[length..]);
        path[length] = 0;

        var how = new OpenHow { Flags = OpenHow.ReadOnlyNonBlockingCloseOnExec, Resolve = OpenHow.ResolveNoSymlinks };
        fd = Libc.OpenAt2(CurrentDirectory, path[..(length + 1)], in how);
        if (fd < 0)
        {
            return Failed(Marshal.GetLastPInvokeError());
        }

        if (Libc.FStat(fd, out status) != 0)
        {
            Close(ref fd);
            return OpenedFile.Undecided;
        }

        switch (status.Type)
        {
            case FileStatus.Regular:
                return OpenedFile.Regular;
            case FileStatus.Directory:
                Close(ref fd);
                return OpenedFile.Folder;
            default:
                Close(ref fd);
                return OpenedFile.Undecided;
        }
    }

    public static void Close(ref int fd)
    {
        if (fd >= 0)
        {
            Libc.Close(fd);
            fd = -1;
        }
    }

    private static OpenedFile Failed(int errno)
    {
        switch (errno)
        {
            case Libc.Errno.ENOENT or Libc.Errno.ENOTDIR:
                return OpenedFile.Missing;
            case Libc.Errno.ENOSYS or Libc.Errno.EPERM:
                // An old kernel, or a seccomp filter (some container runtimes') refusing openat2: the general path from now on.
                s_unavailable = true;
                return OpenedFile.Undecided;
            default:
                return OpenedFile.Undecided;
        }
    }

    /// <summary>A <c>..</c> segment (an alias location can leave one in the relative path) or a NUL byte.</summary>
    private static bool HasParentSegmentOrNul(string relative)
    {
        if (relative.Contains('\0'))
        {
            return true;
        }

        for (var i = relative.IndexOf("/..", StringComparison.Ordinal); i >= 0; i = relative.IndexOf("/..", i + 1, StringComparison.Ordinal))
        {
            if (i + 3 == relative.Length || relative[i + 3] == '/')
            {
                return true;
            }
        }

        return false;
    }
}

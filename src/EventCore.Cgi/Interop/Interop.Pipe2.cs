using System.Runtime.InteropServices;

namespace EventCore.Cgi.Interop;

internal static partial class Libc
{
    private const int OCloexec = 0x80000;

    [LibraryImport(Name, EntryPoint = "pipe2", SetLastError = true)]
    private static unsafe partial int Pipe2Raw(int* fds, int flags);

    /// <summary>pipe2(O_CLOEXEC): both ends close on exec, so no other child inherits them.</summary>
    internal static unsafe Errno Pipe(out int readEnd, out int writeEnd)
    {
        int* fds = stackalloc int[2];
        if (Pipe2Raw(fds, OCloexec) != 0)
        {
            readEnd = writeEnd = -1;
            return LastErrno;
        }

        readEnd = fds[0];
        writeEnd = fds[1];
        return Errno.None;
    }
}

using System.Runtime.InteropServices;

namespace EventCore.Cgi.Interop;

internal static partial class Libc
{
    private const int FDupfdCloexec = 1030;

    [LibraryImport(Name, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlRaw(int fd, int command, int argument);

    /// <summary>fcntl(F_DUPFD_CLOEXEC, minimum): a close-on-exec copy numbered at least <paramref name="minimum"/>, or -1.</summary>
    internal static int DuplicateAtLeast(int fd, int minimum)
    {
        int result;
        do
        {
            result = FcntlRaw(fd, FDupfdCloexec, minimum);
        }
        while (Interrupted(result));
        return result;
    }
}

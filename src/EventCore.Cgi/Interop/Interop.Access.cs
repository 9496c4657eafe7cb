using System.Runtime.InteropServices;

namespace EventCore.Cgi.Interop;

internal static partial class Libc
{
    internal const int ROk = 4;
    internal const int XOk = 1;

    [LibraryImport(Name, EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int AccessRaw(string path, int mode);

    /// <summary>access(path, mode) with the real ids of this process: <see cref="Errno.None"/> when allowed.</summary>
    internal static Errno Access(string path, int mode) => AccessRaw(path, mode) == 0 ? Errno.None : LastErrno;
}

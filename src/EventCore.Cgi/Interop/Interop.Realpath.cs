using System.Runtime.InteropServices;

namespace EventCore.Cgi.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealpathRaw(string path, nint resolved);

    [LibraryImport(Name, EntryPoint = "free")]
    private static partial void Free(nint pointer);

    /// <summary>realpath(3): the canonical absolute path with every symlink resolved, or null (errno says why).</summary>
    internal static string? RealPath(string path)
    {
        var resolved = RealpathRaw(path, 0);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }
}

using EventCore.Cgi.Interop;

namespace EventCore.Sites.Serving;

/// <summary>Symlinks are followed only while they stay inside the folder being served.</summary>
internal static class PathSafety
{
    /// <summary>Whether <paramref name="path"/>, with every symlink resolved, is <paramref name="folder"/> or below it (false when it does not exist).</summary>
    public static bool StaysInside(string path, string folder)
    {
        var real = Libc.RealPath(path);
        var realFolder = Libc.RealPath(folder);
        if (real is null || realFolder is null)
        {
            return false;
        }

        return real == realFolder || real.StartsWith(realFolder.TrimEnd('/') + "/", StringComparison.Ordinal);
    }
}

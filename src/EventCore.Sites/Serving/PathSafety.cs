using System.Collections.Concurrent;
using EventCore.Cgi.Interop;

namespace EventCore.Sites.Serving;

/// <summary>Symlinks are followed only while they stay inside the folder being served.</summary>
internal static class PathSafety
{
    // The served folders are few and fixed by the configuration: their real paths are resolved once.
    private static readonly ConcurrentDictionary<string, string?> s_realFolders = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="path"/>, with every symlink resolved, is <paramref name="folder"/> or below it (false when it does not exist).</summary>
    public static bool StaysInside(string path, string folder)
    {
        var real = Libc.RealPath(path);
        var realFolder = RealFolder(folder);
        if (real is null || realFolder is null)
        {
            return false;
        }

        return real == realFolder || real.StartsWith(realFolder.TrimEnd('/') + "/", StringComparison.Ordinal);
    }

    /// <summary>The real path of a served folder (resolved once), or null while it does not exist.</summary>
    public static string? RealFolder(string folder) =>
        s_realFolders.TryGetValue(folder, out var real) && real is not null ? real : s_realFolders.GetOrAdd(folder, f => Libc.RealPath(f)) ?? Retry(folder);

    /// <summary>A folder that did not exist when first asked for (an upload store made later) is looked up again.</summary>
    private static string? Retry(string folder)
    {
        var real = Libc.RealPath(folder);
        if (real is not null)
        {
            s_realFolders[folder] = real;
        }

        return real;
    }
}

using System.Collections.Concurrent;
using EventCore.Cgi.Interop;

namespace EventCore.Cgi.Execution;

/// <summary>Finds an interpreter given by bare name (<c>python3</c>) in the host's PATH, as a shell would; found names are cached.</summary>
internal static class ProgramResolver
{
    private static readonly ConcurrentDictionary<string, string> s_found = new(StringComparer.Ordinal);

    /// <summary>The path to execute, or null when a bare name is nowhere in PATH. A name with a '/' is used as it is.</summary>
    public static string? Resolve(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return Path.GetFullPath(program);
        }

        if (s_found.TryGetValue(program, out var path))
        {
            return path;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Join(directory, program);
            if (File.Exists(candidate) && Libc.Access(candidate, Libc.XOk) == Errno.None)
            {
                return s_found[program] = Path.GetFullPath(candidate);
            }
        }

        return null;
    }
}

using System.Globalization;

namespace EventCore.Cgi.Tests.Support;

/// <summary>What /proc says about processes and descriptors: the leak and kill checks.</summary>
internal static class ProcessTable
{
    /// <summary>Pids whose parent is this (test) process, zombies included.</summary>
    public static List<int> Children()
    {
        var self = Environment.ProcessId;
        var children = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Stat(pid) is { } stat && stat.ParentPid == self)
            {
                children.Add(pid);
            }
        }

        return children;
    }

    /// <summary>Whether <paramref name="pid"/> exists and is not a zombie (a killed orphan waits for init as a zombie briefly).</summary>
    public static bool IsAlive(int pid) => Stat(pid) is { } stat && stat.State is not ('Z' or 'X');

    /// <summary>
    /// The descriptors open in this process, with what they point to; not the assemblies and symbol files the runtime
    /// opens as it needs them (once, for good), nor the listing's own descriptor.
    /// </summary>
    public static List<string> OpenDescriptors()
    {
        var result = new List<string>();
        foreach (var path in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                var target = new FileInfo(path).LinkTarget ?? "?";
                var listing = target.StartsWith("/proc/", StringComparison.Ordinal) && target.EndsWith("/fd", StringComparison.Ordinal);
                // Code and its symbols: the runtime keeps an assembly's .pdb open once it formatted a stack trace
                // with line numbers (a logged exception), for the rest of the process; not a descriptor of the run.
                var assembly = target.EndsWith(".dll", StringComparison.Ordinal) || target.EndsWith(".so", StringComparison.Ordinal)
                    || target.EndsWith(".pdb", StringComparison.Ordinal);
                if (!listing && !assembly)
                {
                    result.Add($"{Path.GetFileName(path)} -> {target}");
                }
            }
            catch (IOException)
            {
                // Closed while listing.
            }
        }

        return result;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {timeout.TotalSeconds} s: {what()}");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    private static (char State, int ParentPid)? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

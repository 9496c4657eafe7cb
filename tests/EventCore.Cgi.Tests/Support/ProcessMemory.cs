using System.Globalization;

namespace EventCore.Cgi.Tests.Support;

/// <summary>This process's resident memory from /proc/self/status, and its peak (VmHWM), which can be reset.</summary>
internal static class ProcessMemory
{
    public static long Resident => Read("VmRSS");

    public static long Peak => Read("VmHWM");

    /// <summary>Resets the peak to the current resident size (writing 5 to /proc/self/clear_refs, Linux ≥ 4.0).</summary>
    public static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static long Read(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"No {field} in /proc/self/status.");
    }
}

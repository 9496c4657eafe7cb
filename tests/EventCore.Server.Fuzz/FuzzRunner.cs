using System.Diagnostics;

namespace EventCore.Server.Fuzz;

/// <summary>Runs targets over files (replay) or over mutations of a corpus, collecting findings instead of stopping.</summary>
internal static class FuzzRunner
{
    /// <summary>An input that takes longer than this is reported as a hang.</summary>
    private static readonly TimeSpan s_hang = TimeSpan.FromSeconds(2);

    public static IEnumerable<string> Files(string path)
        => Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.') && !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            : [path];

    public static int Replay(Action<byte[]> target, IEnumerable<string> files, TextWriter log)
    {
        var failures = 0;
        foreach (var file in files)
        {
            if (Run(target, File.ReadAllBytes(file)) is { } finding)
            {
                failures++;
                log.WriteLine($"{file}: {finding}");
            }
        }

        return failures;
    }

    public static (long Executions, List<byte[]> Findings, long SlowestMs) Mutate(Action<byte[]> target, IReadOnlyList<byte[]> corpus, long count, int seed, TextWriter log)
    {
        var mutator = new Mutator(seed, corpus);
        var findings = new List<byte[]>();
        long slowest = 0;
        long executions = 0;
        foreach (var seedInput in corpus)
        {
            executions++;
            Record(target, seedInput, findings, log, ref slowest);
        }

        for (; executions < count; executions++)
        {
            Record(target, mutator.Next(), findings, log, ref slowest);
        }

        return (executions, findings, slowest);
    }

    /// <summary>The finding (exception or hang) for one input, or null.</summary>
    public static string? Run(Action<byte[]> target, byte[] input)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            target(input);
        }
        catch (Exception ex)
        {
            return $"{ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}";
        }

        return watch.Elapsed > s_hang ? $"hang: {watch.ElapsedMilliseconds} ms" : null;
    }

    private static void Record(Action<byte[]> target, byte[] input, List<byte[]> findings, TextWriter log, ref long slowest)
    {
        var watch = Stopwatch.StartNew();
        var finding = Run(target, input);
        slowest = Math.Max(slowest, watch.ElapsedMilliseconds);
        if (finding is not null && findings.Count < 20)
        {
            findings.Add(input);
            log.WriteLine($"finding ({Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 200)))}): {finding}");
        }
    }
}

using System.Diagnostics;
using EventCore.Server.Fuzz;
using SharpFuzz;

// Usage:
//   afl <target>                          run under AFL++ (afl-fuzz ... -- dotnet EventCore.Server.Fuzz.dll afl head)
//   replay <target> <file-or-dir>...      run every input once; exit 1 on any finding
//   mutate <target> <count> <seed> <dir>  deterministic in-process mutation of the corpus in <dir>; findings are
//                                         written to Crashers/<target>/ next to the corpus; exit 1 on any finding
// Targets: head, chunked, path, differential.
if (args.Length < 2 || !FuzzTargets.All.TryGetValue(args[1], out var target))
{
    Console.Error.WriteLine("usage: (afl|replay|mutate) (head|chunked|path|differential) ...");
    return 2;
}

switch (args[0])
{
    case "afl":
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var input = copy.ToArray();
            target(input.Length > FuzzTargets.MaxInput ? input[..FuzzTargets.MaxInput] : input);
        });
        return 0;
    case "replay":
        var inputs = args.Skip(2).SelectMany(FuzzRunner.Files).ToList();
        var failures = FuzzRunner.Replay(target, inputs, Console.Out);
        Console.WriteLine($"{args[1]}: replayed {inputs.Count} inputs, {failures} findings. {Summary(args[1])}");
        return failures == 0 ? 0 : 1;
    case "mutate" when args.Length >= 5:
        var corpus = FuzzRunner.Files(args[4]).Select(File.ReadAllBytes).ToList();
        var watch = Stopwatch.StartNew();
        var result = FuzzRunner.Mutate(target, corpus, long.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture), Console.Out);
        foreach (var (input, index) in result.Findings.Select((f, i) => (f, i)))
        {
            var dir = Path.Combine(args[4], "..", "..", "Crashers", args[1]);
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, $"mutate-{args[3]}-{index}"), input);
        }

        Console.WriteLine($"{args[1]}: {result.Executions} executions in {watch.Elapsed.TotalSeconds:F0} s, {result.Findings.Count} findings, slowest input {result.SlowestMs} ms. {Summary(args[1])}");
        return result.Findings.Count == 0 ? 0 : 1;
    default:
        Console.Error.WriteLine("usage: (afl|replay|mutate) (head|chunked|path|differential) ...");
        return 2;
}

static string Summary(string target) => target == "differential" ? DifferentialTarget.Stats.ToString() : "";

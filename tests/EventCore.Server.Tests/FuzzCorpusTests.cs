using EventCore.Server.Fuzz;

namespace EventCore.Server.Tests;

/// <summary>
/// The fuzzers' short deterministic run inside the test suite (perf/fuzz.sh does the long runs): every corpus input
/// and every kept crasher goes through its target again — head, chunked and path check the parser's invariants
/// (no exception, the same answer however the input is split, bounded allocation), differential compares EventCore
/// with Kestrel over loopback — and then a few thousand seeded mutations of the corpus. Any finding fails the test
/// with the input in hex; a fixed crasher is kept under Crashers/ as a regression input.
/// </summary>
public class FuzzCorpusTests
{
    private static readonly string s_root = AppContext.BaseDirectory;

    [Theory]
    [InlineData("head", 20_000)]
    [InlineData("chunked", 20_000)]
    [InlineData("path", 20_000)]
    [InlineData("differential", 3_000)]
    public void Corpus_crashers_and_seeded_mutations_find_nothing(string target, int mutations)
    {
        var run = FuzzTargets.All[target];
        var log = new StringWriter();
        var corpus = Path.Combine(s_root, "Corpus", target);
        var crashers = Path.Combine(s_root, "Crashers", target);
        var files = FuzzRunner.Files(corpus).Concat(Directory.Exists(crashers) ? FuzzRunner.Files(crashers) : []).ToList();
        Assert.True(files.Count > 10, $"The {target} corpus is missing from {corpus}.");

        var failures = FuzzRunner.Replay(run, files, log);
        var (executions, findings, _) = FuzzRunner.Mutate(run, files.Select(File.ReadAllBytes).ToList(), mutations, seed: 15, log);

        TestContext.Current.TestOutputHelper?.WriteLine($"{target}: {files.Count} replayed, {executions} executions");
        Assert.True(failures == 0 && findings.Count == 0, log.ToString());
    }
}

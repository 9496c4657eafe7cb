using BenchmarkDotNet.Running;

namespace EventCore.Microbenchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project perf/EventCore.Microbenchmarks -- --filter '*'</c>
/// (BenchmarkDotNet's switcher: <c>--list flat</c>, <c>--filter *Parsing*</c>, <c>--job short</c> …).
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

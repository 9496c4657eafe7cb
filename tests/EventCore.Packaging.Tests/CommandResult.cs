using System.Text.RegularExpressions;

namespace EventCore.Packaging.Tests;

/// <summary>What a finished command printed (stdout and stderr interleaved, in order) and its exit code.</summary>
public sealed partial record CommandResult(string Command, int ExitCode, IReadOnlyList<string> Lines)
{
    public string Output => string.Join('\n', Lines);

    /// <summary>MSBuild/NuGet warning lines ("file(1,2): warning CODE: text", "warning : text").</summary>
    public IReadOnlyList<string> Warnings => Lines.Where(line => WarningLine().IsMatch(line)).Distinct().ToList();

    /// <summary>Fails the test with the whole output unless the command exited 0.</summary>
    public CommandResult EnsureSuccess()
    {
        Assert.True(ExitCode == 0, $"'{Command}' exited with {ExitCode}:\n{Output}");
        return this;
    }

    [GeneratedRegex(@"(^|[\s:)])warning( [A-Za-z]+[0-9]+)?\s*:")]
    private static partial Regex WarningLine();
}

namespace EventCore.Packaging.Tests;

public class CommandResultTests
{
    [Fact]
    public void Warning_lines_of_msbuild_nuget_and_tasks_are_recognised_and_the_summary_is_not()
    {
        var result = new CommandResult("dotnet pack", 0, [
            "/src/X.targets(226,5): warning NU5104: A stable release of a package should not have a prerelease dependency. [/src/X.csproj]",
            "/src/X/Y.cs(3,1): warning CS1591: Missing XML comment [/src/X.csproj]",
            "CSC : warning CS8032: An instance of analyzer cannot be created [/src/X.csproj]",
            "/sdk/Microsoft.Build.Tasks.Git.targets(25,5): warning : Repository has no remote. [/src/X.csproj]",
            "    0 Warning(s)",
            "  Successfully created package '/tmp/p/X.1.0.0.nupkg'.",
            "  A line that talks about a warning in passing.",
        ]);
        Assert.Equal(4, result.Warnings.Count);
        Assert.All(result.Warnings, w => Assert.Contains("warning", w, StringComparison.Ordinal));
    }
}

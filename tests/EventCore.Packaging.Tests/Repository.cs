using System.Xml.Linq;

namespace EventCore.Packaging.Tests;

/// <summary>The repository the tests run in: its root, its src projects and the version they are packed with.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Every project under src/ (each one is a package).</summary>
    public static IReadOnlyList<string> SourceProjects { get; } =
        [.. Directory.GetDirectories(Path.Combine(Root, "src"))
            .SelectMany(dir => Directory.GetFiles(dir, "*.csproj"))
            .Order(StringComparer.Ordinal)];

    /// <summary>The version from its one place, VersionPrefix in src/Directory.Build.props.</summary>
    public static string Version { get; } =
        XDocument.Load(Path.Combine(Root, "src", "Directory.Build.props")).Descendants("VersionPrefix").Single().Value;

    public static string NuGetConfig => Path.Combine(Root, "NuGet.config");

    public static string PackageId(string project) => Path.GetFileNameWithoutExtension(project);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EventCore.AspNet.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"EventCore.AspNet.sln not found above {AppContext.BaseDirectory}.");
    }
}

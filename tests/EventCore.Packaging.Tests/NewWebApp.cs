using System.Diagnostics;
using System.Xml.Linq;

namespace EventCore.Packaging.Tests;

/// <summary>
/// What a user does: `dotnet new web`, `dotnet add package EventCore.Server`, one line in Program.cs, build. The
/// packages come from the packed folder only (package source mapping sends every EventCore.* id there), into a
/// NuGet package folder of its own, so no package cached by an earlier run or build can stand in for them.
/// </summary>
public sealed class NewWebApp
{
    public const string Name = "HelloEventCore";
    public const string TemplateLine = "var builder = WebApplication.CreateBuilder(args);";
    public const string OneLine = "builder.WebHost.UseEventCore();";
    private const string LocalSource = "eventcore-local";

    private static readonly TimeSpan s_stepTimeout = TimeSpan.FromMinutes(5);

    private NewWebApp(string directory, string nugetPackages, CommandResult addPackage, CommandResult build)
    {
        Directory = directory;
        NuGetPackages = nugetPackages;
        AddPackage = addPackage;
        Build = build;
    }

    public string Directory { get; }

    /// <summary>The app's own NuGet package folder (NUGET_PACKAGES).</summary>
    public string NuGetPackages { get; }

    public string ProjectFile => Path.Combine(Directory, Name + ".csproj");

    public CommandResult AddPackage { get; }

    public CommandResult Build { get; }

    public string OutputDirectory => Path.GetDirectoryName(
        System.IO.Directory.GetFiles(Path.Combine(Directory, "bin", "Release"), Name + ".dll", SearchOption.AllDirectories).Single())!;

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["NUGET_PACKAGES"] = NuGetPackages };

    public static async Task<NewWebApp> CreateAsync(string directory, string packageFolder, string nugetPackages)
    {
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = nugetPackages };
        (await Command.RunAsync("dotnet", ["new", "web", "-o", directory, "-n", Name, "--no-restore"], Path.GetDirectoryName(directory)!, s_stepTimeout, environment))
            .EnsureSuccess();
        WriteNuGetConfig(Path.Combine(directory, "nuget.config"), packageFolder);

        CommandResult add = (await Command.RunAsync("dotnet", ["add", "package", "EventCore.Server"], directory, s_stepTimeout, environment)).EnsureSuccess();

        string program = Path.Combine(directory, "Program.cs");
        string source = await File.ReadAllTextAsync(program);
        Assert.Contains(TemplateLine, source, StringComparison.Ordinal);
        await File.WriteAllTextAsync(program, source.Replace(TemplateLine, TemplateLine + "\n" + OneLine, StringComparison.Ordinal));

        CommandResult build = (await Command.RunAsync(
            "dotnet", ["build", "-c", "Release", "-nologo", "-tl:off", "--disable-build-servers"], directory, s_stepTimeout, environment)).EnsureSuccess();
        return new NewWebApp(directory, nugetPackages, add, build);
    }

    /// <summary>Starts the built app on 127.0.0.1 with a port of the kernel's choosing.</summary>
    public async Task<RunningApp> StartAsync()
    {
        ProcessStartInfo start = Command.CreateStartInfo(
            "dotnet",
            [Path.Combine(OutputDirectory, Name + ".dll"), "--urls", "http://127.0.0.1:0"],
            Directory,
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
        return await RunningApp.StartAsync(start);
    }

    /// <summary>
    /// The repository's NuGet.config (its feeds, for anything else a restore might need) plus the packed folder, with
    /// package source mapping: EventCore.* from the folder only, everything else from the repository's feeds.
    /// </summary>
    private static void WriteNuGetConfig(string path, string packageFolder)
    {
        XDocument config = XDocument.Load(Repository.NuGetConfig);
        XElement configuration = config.Root!;
        XElement sources = configuration.Element("packageSources") ?? throw new InvalidOperationException("NuGet.config has no packageSources.");
        List<string> feeds = [.. sources.Elements("add").Select(e => (string)e.Attribute("key")!)];
        sources.Add(new XElement("add", new XAttribute("key", LocalSource), new XAttribute("value", packageFolder)));
        configuration.Element("packageSourceMapping")?.Remove();
        configuration.Add(new XElement(
            "packageSourceMapping",
            new XElement("packageSource", new XAttribute("key", LocalSource), new XElement("package", new XAttribute("pattern", "EventCore.*"))),
            feeds.Select(feed => new XElement("packageSource", new XAttribute("key", feed), new XElement("package", new XAttribute("pattern", "*"))))));
        config.Save(path);
    }
}

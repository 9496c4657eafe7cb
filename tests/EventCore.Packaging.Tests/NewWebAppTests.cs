using System.Text.Json;
using System.Xml.Linq;

namespace EventCore.Packaging.Tests;

/// <summary>
/// The README's promise, checked on every run: a brand-new app from the SDK's `web` template, EventCore.Server added
/// from the packed folder and nothing else, one line, and it answers curl.
/// </summary>
[Collection(nameof(PackagingGroup))]
public sealed class NewWebAppTests(PackagingFixture fixture)
{
    private const string DelayOption = "System.Runtime.TieredCompilation.CallCountingDelayMs";

    [Fact]
    public async Task New_web_app_with_the_package_and_one_line_answers_curl_from_EventCore()
    {
        NewWebApp app = await fixture.GetAppAsync();

        // Only the one package was added, and the one line builds without a warning.
        var references = XDocument.Load(app.ProjectFile).Descendants("PackageReference").Select(e => (string?)e.Attribute("Include")).ToList();
        Assert.Equal(["EventCore.Server"], references);
        Assert.True(app.Build.Warnings.Count == 0, $"The new app's build warned:\n{string.Join('\n', app.Build.Warnings)}");

        // Both packages came from the packed folder into the app's own package folder.
        foreach (string id in new[] { "EventCore.Server", "EventCore.Transport.Epoll" })
        {
            string metadata = Path.Combine(app.NuGetPackages, id.ToLowerInvariant(), Repository.Version, ".nupkg.metadata");
            Assert.True(File.Exists(metadata), $"{id} {Repository.Version} was not restored into {app.NuGetPackages}:\n{app.AddPackage.Output}");
            string source = JsonDocument.Parse(await File.ReadAllTextAsync(metadata, TestContext.Current.CancellationToken)).RootElement.GetProperty("source").GetString()!;
            Assert.Equal(Path.TrimEndingDirectorySeparator(fixture.PackageFolder), Path.TrimEndingDirectorySeparator(source));
        }

        await using RunningApp running = await app.StartAsync();
        CommandResult curl = (await Command.RunAsync(
            "curl", ["-sS", "-i", "--max-time", "10", $"http://127.0.0.1:{running.Port}/"], app.Directory, TimeSpan.FromSeconds(30))).EnsureSuccess();
        Assert.StartsWith("HTTP/1.1 200 OK", curl.Output, StringComparison.Ordinal);
        Assert.Contains("Server: EventCore", curl.Output, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("Hello World!", curl.Output, StringComparison.Ordinal);

        int exitCode = await running.StopAsync();
        Assert.True(exitCode == 0, $"The app exited with {exitCode} on SIGTERM:\n{running.Output}");
    }

    [Fact]
    public async Task New_web_app_gets_the_runtime_settings_and_can_override_them()
    {
        NewWebApp app = await fixture.GetAppAsync();

        // The built app's runtimeconfig.json carries the package's setting.
        string runtimeConfig = Path.Combine(app.OutputDirectory, NewWebApp.Name + ".runtimeconfig.json");
        JsonElement properties = JsonDocument.Parse(await File.ReadAllTextAsync(runtimeConfig, TestContext.Current.CancellationToken))
            .RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.Equal(0, properties.GetProperty(DelayOption).GetInt32());

        // Off altogether, from the command line.
        Assert.Null(await DelayAsync(app, "EventCoreRuntimeDefaults=false"));

        // Another value, from the app's project file (evaluated after the package's props).
        string original = await File.ReadAllTextAsync(app.ProjectFile, TestContext.Current.CancellationToken);
        try
        {
            XDocument project = XDocument.Parse(original);
            project.Root!.Add(new XElement("PropertyGroup", new XElement("EventCoreTieredCompilationCallCountingDelayMs", "100")));
            project.Save(app.ProjectFile);
            Assert.Equal("100", await DelayAsync(app));
        }
        finally
        {
            await File.WriteAllTextAsync(app.ProjectFile, original, CancellationToken.None);
        }

        Assert.Equal("0", await DelayAsync(app));
    }

    private static async Task<string?> DelayAsync(NewWebApp app, params string[] globalProperties)
    {
        MSBuildEvaluation evaluation = await MSBuildEvaluation.EvaluateAsync(
            app.ProjectFile, ["EventCoreRuntimeDefaults"], ["RuntimeHostConfigurationOption"], globalProperties, app.Environment);
        return evaluation.Items("RuntimeHostConfigurationOption").SingleOrDefault(i => i["Identity"] == DelayOption)?["Value"];
    }
}

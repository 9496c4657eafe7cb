using System.Reflection.Metadata;
using System.Text.Json;

namespace EventCore.Packaging.Tests;

/// <summary>The packages `dotnet pack -c Release -o DIR` makes of every src project.</summary>
[Collection(nameof(PackagingGroup))]
public sealed class PackageTests(PackagingFixture fixture)
{
    private static readonly Guid s_sourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    private static readonly Guid s_embeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    public static TheoryData<string> PackageIds => new(Repository.SourceProjects.Select(Repository.PackageId));

    [Fact]
    public void Pack_makes_a_package_and_a_symbol_package_of_every_src_project_without_warnings()
    {
        CommandResult pack = fixture.Pack;
        Assert.True(pack.Warnings.Count == 0, $"dotnet pack warned:\n{string.Join('\n', pack.Warnings)}");
        List<string> ids = [.. Repository.SourceProjects.Select(Repository.PackageId)];
        Assert.Contains("EventCore.Server", ids);
        Assert.Contains("EventCore.Transport.Epoll", ids);
        foreach (string id in ids)
        {
            Assert.True(File.Exists(fixture.PackagePath(id)), $"{id}: no package in {fixture.PackageFolder}:\n{pack.Output}");
            Assert.True(File.Exists(fixture.PackagePath(id, "snupkg")), $"{id}: no symbol package in {fixture.PackageFolder}");
        }
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Package_carries_its_metadata(string id)
    {
        _ = fixture.Pack;
        using var package = new Package(fixture.PackagePath(id));
        Assert.Equal(id, package.Meta("id"));
        Assert.Equal(Repository.Version, package.Meta("version"));
        Assert.Equal("EventCore contributors", package.Meta("authors"));
        XElementAssert(package, "license", "MIT", ("type", "expression"));
        Assert.StartsWith("https://", package.Meta("projectUrl"), StringComparison.Ordinal);
        Assert.Contains("Linux", package.Meta("description"), StringComparison.Ordinal);
        Assert.Contains("aspnetcore", package.Meta("tags")!.Split(' '));
        Assert.Equal("README.md", package.Meta("readme"));
        Assert.Contains("README.md", package.Entries);

        // A library's assembly and XML docs under lib/, a dotnet tool's under tools/ (with its runtimeconfig.json).
        string folder = AssemblyFolder(package, id);
        Assert.Contains(folder + id + ".xml", package.Entries);
        if (folder.StartsWith("lib/", StringComparison.Ordinal))
        {
            Assert.Contains("Microsoft.AspNetCore.App", package.MetaElement("frameworkReferences")!.Descendants().Select(e => (string?)e.Attribute("name")));
        }

        // Release notes: this version's section of CHANGELOG.md.
        string changelog = File.ReadAllText(Path.Combine(Repository.Root, "CHANGELOG.md"));
        string notes = package.Meta("releaseNotes") ?? "";
        Assert.NotEmpty(notes);
        Assert.Contains("## " + Repository.Version, changelog, StringComparison.Ordinal);
        Assert.Contains(notes.Split('\n')[0], changelog, StringComparison.Ordinal);

        // The repository element names the commit the package was built from (the URL only with a remote).
        if (Directory.Exists(Path.Combine(Repository.Root, ".git")) || File.Exists(Path.Combine(Repository.Root, ".git")))
        {
            var repository = package.MetaElement("repository");
            Assert.NotNull(repository);
            Assert.Equal("git", (string?)repository.Attribute("type"));
            Assert.Matches("^[0-9a-f]{40}$", (string?)repository.Attribute("commit") ?? "");
        }
    }

    [Fact]
    public void Server_package_depends_on_the_transport_package_of_the_same_version()
    {
        _ = fixture.Pack;
        using var package = new Package(fixture.PackagePath("EventCore.Server"));
        var dependencies = package.MetaElement("dependencies")!.Descendants().Where(e => e.Name.LocalName == "dependency").ToList();
        var transport = Assert.Single(dependencies);
        Assert.Equal("EventCore.Transport.Epoll", (string?)transport.Attribute("id"));
        Assert.Equal(Repository.Version, (string?)transport.Attribute("version"));
    }

    [Fact]
    public void Package_readmes_show_the_one_line_and_the_install_command()
    {
        _ = fixture.Pack;
        using (var server = new Package(fixture.PackagePath("EventCore.Server")))
        {
            string readme = server.ReadText("README.md");
            Assert.Contains(NewWebApp.OneLine, readme, StringComparison.Ordinal);
            Assert.Contains("dotnet add package EventCore.Server", readme, StringComparison.Ordinal);
            Assert.Contains("Linux", readme, StringComparison.Ordinal);
            Assert.Contains("docs/configuration.md", readme, StringComparison.Ordinal);
        }

        using var transport = new Package(fixture.PackagePath("EventCore.Transport.Epoll"));
        string transportReadme = transport.ReadText("README.md");
        Assert.Contains("builder.WebHost.UseKestrel().UseEpollTransport();", transportReadme, StringComparison.Ordinal);
        Assert.Contains("dotnet add package EventCore.Transport.Epoll", transportReadme, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_package_brings_its_runtime_settings_to_the_app_transitively()
    {
        _ = fixture.Pack;
        using var package = new Package(fixture.PackagePath("EventCore.Server"));
        string props = package.ReadText("buildTransitive/EventCore.Server.props");
        Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root, "src", "EventCore.Server", "buildTransitive", "EventCore.Server.props")), props);
        Assert.Contains("RuntimeHostConfigurationOption", props, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Symbol_package_lets_a_debugger_find_every_source(string id)
    {
        _ = fixture.Pack;
        using var symbols = new Package(fixture.PackagePath(id, "snupkg"));
        using MemoryStream pdb = symbols.ReadBytes(AssemblyFolder(symbols, id) + id + ".pdb");
        using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
        MetadataReader reader = provider.GetMetadataReader();

        string? sourceLink = ModuleSourceLink(reader);
        List<string> prefixes = sourceLink is null
            ? []
            : [.. JsonDocument.Parse(sourceLink).RootElement.GetProperty("documents").EnumerateObject().Select(p => p.Name.TrimEnd('*'))];
        var documents = reader.Documents.Select(h => (Name: reader.GetString(reader.GetDocument(h).Name), Embedded: IsEmbedded(reader, h))).ToList();
        Assert.Contains(documents, d => d.Name.EndsWith(".cs", StringComparison.Ordinal));
        foreach (var (name, embedded) in documents)
        {
            // SourceLink points at the commit's files; whatever it cannot point at (untracked, generated, or all of
            // them in a clone without a remote) is embedded.
            Assert.True(embedded || prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)), $"{id}: {name} is neither embedded nor SourceLinked ({sourceLink ?? "no SourceLink"})");
        }

        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            // ContinuousIntegrationBuild: paths do not depend on where the clone lives.
            Assert.All(documents, d => Assert.StartsWith("/_/", d.Name, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public async Task Src_project_gets_the_package_settings_from_src_Directory_Build_props(string id)
    {
        string project = Repository.SourceProjects.Single(p => Repository.PackageId(p) == id);
        MSBuildEvaluation evaluation = await MSBuildEvaluation.EvaluateAsync(
            project,
            ["IsPackable", "Version", "PackageLicenseExpression", "PackageProjectUrl", "PackageReadmeFile", "IncludeSymbols", "SymbolPackageFormat",
             "EnablePackageValidation", "PackageValidationBaselineVersion", "PublishRepositoryUrl", "EmbedUntrackedSources", "Deterministic",
             "TreatWarningsAsErrors", "PackAsTool"],
            ["AdditionalFiles", "PackageReference"]);
        Assert.Equal("true", evaluation.Property("IsPackable"));
        Assert.Equal(Repository.Version, evaluation.Property("Version"));
        Assert.Equal("MIT", evaluation.Property("PackageLicenseExpression"));
        Assert.Equal("README.md", evaluation.Property("PackageReadmeFile"));
        Assert.Equal("true", evaluation.Property("IncludeSymbols"));
        Assert.Equal("snupkg", evaluation.Property("SymbolPackageFormat"));
        if (evaluation.Property("PackAsTool") != "true")
        {
            // The SDK turns package validation off for a dotnet tool's package: it validates library packages.
            Assert.Equal("true", evaluation.Property("EnablePackageValidation"));
        }

        Assert.Equal("true", evaluation.Property("PublishRepositoryUrl"));
        Assert.Equal("true", evaluation.Property("EmbedUntrackedSources"));
        Assert.Equal("true", evaluation.Property("Deterministic"));
        Assert.Equal("true", evaluation.Property("TreatWarningsAsErrors"));

        // The public API analyzer and the project's two API files.
        Assert.Contains(evaluation.Items("PackageReference"), i => i["Identity"] == "Microsoft.CodeAnalysis.PublicApiAnalyzers");
        var apiFiles = evaluation.Items("AdditionalFiles").Select(i => Path.GetFileName(i["Identity"])).ToList();
        Assert.Contains("PublicAPI.Shipped.txt", apiFiles);
        Assert.Contains("PublicAPI.Unshipped.txt", apiFiles);

        // Until a release ships (and becomes the package validation baseline), the whole public surface is
        // unshipped; the release moves it to PublicAPI.Shipped.txt (docs/packaging.md).
        string directory = Path.GetDirectoryName(project)!;
        string[] shipped = File.ReadAllLines(Path.Combine(directory, "PublicAPI.Shipped.txt"));
        string[] unshipped = File.ReadAllLines(Path.Combine(directory, "PublicAPI.Unshipped.txt"));
        Assert.Equal("#nullable enable", unshipped[0]);
        Assert.Equal("#nullable enable", shipped[0]);
        if (evaluation.Property("PackageValidationBaselineVersion") == "")
        {
            Assert.Single(shipped);
        }
        else
        {
            Assert.True(shipped.Length > 1, $"{id} has a baseline version but PublicAPI.Shipped.txt lists nothing.");
        }
    }

    private static void XElementAssert(Package package, string name, string value, (string Name, string Value) attribute)
    {
        var element = package.MetaElement(name);
        Assert.NotNull(element);
        Assert.Equal(value, element.Value);
        Assert.Equal(attribute.Value, (string?)element.Attribute(attribute.Name));
    }

    private static string AssemblyFolder(Package package, string id)
    {
        string[] folders = ["lib/net10.0/", "tools/net10.0/any/"];
        string? folder = folders.FirstOrDefault(f => package.Entries.Contains(f + id + ".dll") || package.Entries.Contains(f + id + ".pdb"));
        Assert.True(folder is not null, $"{package.Path} has no {id}.dll/.pdb in {string.Join(" or ", folders)}: {string.Join(", ", package.Entries)}");
        return folder;
    }

    private static string? ModuleSourceLink(MetadataReader reader)
    {
        foreach (CustomDebugInformationHandle handle in reader.GetCustomDebugInformation(EntityHandle.ModuleDefinition))
        {
            CustomDebugInformation info = reader.GetCustomDebugInformation(handle);
            if (reader.GetGuid(info.Kind) == s_sourceLinkKind)
            {
                return System.Text.Encoding.UTF8.GetString(reader.GetBlobBytes(info.Value));
            }
        }

        return null;
    }

    private static bool IsEmbedded(MetadataReader reader, DocumentHandle document) =>
        reader.GetCustomDebugInformation(document).Any(h => reader.GetGuid(reader.GetCustomDebugInformation(h).Kind) == s_embeddedSourceKind);
}

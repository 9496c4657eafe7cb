namespace EventCore.Packaging.Tests;

/// <summary>
/// Packs every src project once, as a user or a release would (`dotnet pack -c Release -o DIR`), into a fresh
/// temporary folder; the new app made from the SDK template is created from that folder on first use. Everything
/// lives under one temporary directory, deleted at the end.
/// </summary>
public sealed class PackagingFixture : IAsyncLifetime
{
    private static readonly TimeSpan s_packTimeout = TimeSpan.FromMinutes(10);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "eventcore-packaging-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly SemaphoreSlim _appLock = new(1, 1);
    private NewWebApp? _app;
    private CommandResult? _pack;

    /// <summary>The folder the packages were packed into.</summary>
    public string PackageFolder => Path.Combine(_root, "packages");

    /// <summary>The output of the pack (fails the calling test if it did not succeed).</summary>
    public CommandResult Pack => (_pack ?? throw new InvalidOperationException("Not packed.")).EnsureSuccess();

    public string PackagePath(string id, string extension = "nupkg") => Path.Combine(PackageFolder, $"{id}.{Repository.Version}.{extension}");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_root);

        // One solution of every src project, so one MSBuild run packs them all (and any project added later).
        string solution = Path.Combine(_root, "packages.slnx");
        await File.WriteAllLinesAsync(solution, [
            "<Solution>",
            .. Repository.SourceProjects.Select(p => $"  <Project Path=\"{Path.GetRelativePath(_root, p)}\" />"),
            "</Solution>",
        ]);
        _pack = await Command.RunAsync(
            "dotnet",
            ["pack", solution, "-c", "Release", "-o", PackageFolder, "-nologo", "-tl:off", "--disable-build-servers"],
            Repository.Root,
            s_packTimeout);
    }

    /// <summary>The new web app with the EventCore.Server package added and built (created on first call).</summary>
    public async Task<NewWebApp> GetAppAsync()
    {
        await _appLock.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            _ = Pack;
            return _app ??= await NewWebApp.CreateAsync(Path.Combine(_root, "app"), PackageFolder, Path.Combine(_root, "nuget-packages"));
        }
        finally
        {
            _appLock.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        _appLock.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary folder is not worth failing the run over.
        }

        return ValueTask.CompletedTask;
    }
}

[CollectionDefinition(nameof(PackagingGroup))]
public sealed class PackagingGroup : ICollectionFixture<PackagingFixture>;

using System.Text.Json;

namespace EventCore.Packaging.Tests;

/// <summary>A project's properties and items as MSBuild evaluates them (`dotnet msbuild -getProperty -getItem`).</summary>
internal sealed class MSBuildEvaluation
{
    private readonly JsonElement _root;

    private MSBuildEvaluation(JsonElement root) => _root = root;

    public static async Task<MSBuildEvaluation> EvaluateAsync(
        string project,
        IEnumerable<string> properties,
        IEnumerable<string> items,
        IEnumerable<string>? globalProperties = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        List<string> arguments = ["msbuild", project, "-nologo", "-p:Configuration=Release"];
        arguments.AddRange(properties.Select(p => "-getProperty:" + p));
        arguments.AddRange(items.Select(i => "-getItem:" + i));
        arguments.AddRange((globalProperties ?? []).Select(p => "-p:" + p));
        CommandResult result = (await Command.RunAsync("dotnet", arguments, Path.GetDirectoryName(project)!, TimeSpan.FromMinutes(3), environment)).EnsureSuccess();
        string json = result.Output[result.Output.IndexOf('{', StringComparison.Ordinal)..];
        return new MSBuildEvaluation(JsonDocument.Parse(json).RootElement.Clone());
    }

    public string Property(string name) => _root.GetProperty("Properties").GetProperty(name).GetString() ?? "";

    /// <summary>The items of one type: identity and metadata.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Items(string type) =>
        _root.TryGetProperty("Items", out JsonElement items) && items.TryGetProperty(type, out JsonElement list)
            ? [.. list.EnumerateArray().Select(item => (IReadOnlyDictionary<string, string>)item.EnumerateObject()
                .ToDictionary(p => p.Name, p => p.Value.ToString()))]
            : [];
}

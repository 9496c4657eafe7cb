namespace EventCore.Sites.Configuration;

/// <summary>
/// <c>types_file PATH;</c>: reads an nginx <c>mime.types</c> file (<c>types { text/html html htm; ... }</c>, or the
/// entries without the wrapper) and writes each extension as <c>Types:.EXT = TYPE</c>, so appsettings.json can say
/// the same with a <c>Types</c> object. Faults in that file name that file and line.
/// </summary>
internal static class TypesFile
{
    public static void Apply(ConfigScope scope, ConfigNode node)
    {
        var path = Path.GetFullPath(node.Arguments[0], node.Folder);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw node.Error($"cannot open types file \"{path}\": {e.Message}");
        }

        var entries = ConfigParser.Parse(text, path);
        if (entries is [{ Name: "types", Children: { } children }])
        {
            entries = [.. children];
        }

        foreach (var entry in entries)
        {
            if (entry.Children is not null || entry.Arguments.Count == 0)
            {
                throw entry.Error("expected \"TYPE EXTENSION...;\"");
            }

            var type = Directives.MediaType(entry, entry.Name);
            foreach (var extension in entry.Arguments)
            {
                scope.Set("Types:." + extension.TrimStart('.').ToLowerInvariant(), type);
            }
        }
    }
}

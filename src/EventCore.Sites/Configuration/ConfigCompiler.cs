namespace EventCore.Sites.Configuration;

/// <summary>
/// Checks a parsed file against the directive table (<see cref="Directives"/>) and turns it into configuration keys
/// under <c>Sites:</c>, the same keys a <c>Sites</c> section of appsettings.json has (so both bind to
/// <see cref="Options.SitesOptions"/>). Every fault is a <see cref="WebservConfigException"/> naming file and line.
/// </summary>
internal static class ConfigCompiler
{
    public const string Section = "Sites";

    public static Dictionary<string, string?> Compile(IReadOnlyList<ConfigNode> nodes)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var scope = new ConfigScope(DirectiveContext.Global, Section + ":", data, block: null);
        CompileBlock(scope, nodes);
        return data;
    }

    /// <summary>Reads and compiles the file at <paramref name="path"/>.</summary>
    public static Dictionary<string, string?> CompileFile(string path) => Compile(ConfigParser.ParseFile(path));

    public static void CompileBlock(ConfigScope scope, IReadOnlyList<ConfigNode> nodes)
    {
        foreach (var node in nodes)
        {
            if (!Directives.ByName.TryGetValue(node.Name, out var directive))
            {
                throw node.Error($"unknown directive \"{node.Name}\"");
            }

            if ((directive.Contexts & scope.Context) == 0)
            {
                throw node.Error($"\"{node.Name}\" directive is not allowed here (allowed in: {Describe(directive.Contexts)})");
            }

            if (directive.Block != node.Children is not null)
            {
                throw node.Error(directive.Block
                    ? $"directive \"{node.Name}\" has no opening \"{{\""
                    : $"directive \"{node.Name}\" is not terminated by \";\"");
            }

            var count = node.Arguments.Count;
            if (count < directive.MinArguments || (directive.MaxArguments >= 0 && count > directive.MaxArguments))
            {
                throw node.Error($"invalid number of arguments in \"{node.Name}\" directive");
            }

            if (!scope.FirstTime(node.Name) && !directive.Repeatable)
            {
                throw node.Error($"\"{node.Name}\" directive is duplicate");
            }

            directive.Apply(scope, node);
        }
    }

    private static string Describe(DirectiveContext contexts) => string.Join(", ", new[]
    {
        (contexts & DirectiveContext.Global) != 0 ? "the top level" : null,
        (contexts & DirectiveContext.Server) != 0 ? "server" : null,
        (contexts & DirectiveContext.Location) != 0 ? "location" : null,
    }.OfType<string>());
}

namespace EventCore.Sites.Configuration;

/// <summary>
/// One directive of a parsed file: its name, arguments and place; <see cref="Children"/> is the block's content for
/// a block directive (<c>server { ... }</c>), null for a simple one (<c>root /srv;</c>).
/// </summary>
internal sealed record ConfigNode(string Name, IReadOnlyList<string> Arguments, string File, int Line, IReadOnlyList<ConfigNode>? Children)
{
    /// <summary>The folder of the file the directive is in: relative paths in it resolve from there.</summary>
    public string Folder => Path.GetDirectoryName(File) ?? "/";

    public WebservConfigException Error(string reason) => new(File, Line, reason);
}

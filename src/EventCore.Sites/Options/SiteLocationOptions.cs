namespace EventCore.Sites.Options;

/// <summary>A <c>location [=|~|~*|^~] PATH { }</c> block.</summary>
public sealed class SiteLocationOptions : SiteSettings
{
    /// <summary>The modifier: empty (prefix), <c>=</c> (exact), <c>^~</c> (prefix that stops the regex search), <c>~</c> / <c>~*</c> (regex, case-sensitive / not).</summary>
    public string Match { get; set; } = "";

    /// <summary>The path prefix, exact path or regular expression.</summary>
    public string Path { get; set; } = "/";

    /// <summary><c>alias</c>: the folder that replaces the location's prefix (file = alias + the rest of the path).</summary>
    public string? Alias { get; set; }

    /// <summary>Nested locations.</summary>
    public IList<SiteLocationOptions> Locations { get; } = [];
}

namespace EventCore.Sites.Options;

/// <summary><c>return CODE [URL|TEXT];</c></summary>
public sealed class SiteReturn
{
    /// <summary>The status code.</summary>
    public int Code { get; set; }

    /// <summary>The redirect's URL (for 301, 302, 303, 307, 308) or the body text (any other code); null: no body.</summary>
    public string? Text { get; set; }
}

using System.Globalization;
using EventCore.Sites.Options;
using Microsoft.AspNetCore.StaticFiles;

namespace EventCore.Sites.Serving;

/// <summary>
/// The settings that hold for one server or location once inheritance is resolved (own value, else the enclosing
/// location's, else the server's, else the top level's, else the default). Immutable, shared by all requests.
/// </summary>
internal sealed class EffectiveSettings
{
    public const long DefaultClientMaxBodySize = 1024 * 1024;

    private EffectiveSettings()
    {
    }

    public static EffectiveSettings Defaults { get; } = new()
    {
        Index = ["index.html"],
        AllowMethods = new HashSet<string>(["GET", "HEAD"], StringComparer.Ordinal),
        AllowHeader = "GET, HEAD",
        ClientMaxBodySize = DefaultClientMaxBodySize,
        ErrorPages = new Dictionary<int, string>(),
        Cgi = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase),
        DefaultType = "application/octet-stream",
        ContentTypes = new FileExtensionContentTypeProvider(),
    };

    public string? Root { get; private init; }

    public IReadOnlyList<string> Index { get; private init; } = [];

    public bool Autoindex { get; private init; }

    public IReadOnlySet<string> AllowMethods { get; private init; } = null!;

    /// <summary>The value of the <c>Allow</c> header of a 405.</summary>
    public string AllowHeader { get; private init; } = "";

    /// <summary>Bytes; null: no limit.</summary>
    public long? ClientMaxBodySize { get; private init; }

    public IReadOnlyDictionary<int, string> ErrorPages { get; private init; } = null!;

    public SiteReturn? Return { get; private init; }

    public string? UploadStore { get; private init; }

    /// <summary>Extension with its dot → interpreter (<c>exec</c>: the file itself).</summary>
    public IReadOnlyDictionary<string, string> Cgi { get; private init; } = null!;

    public TimeSpan? CgiTimeout { get; private init; }

    public string DefaultType { get; private init; } = "";

    public FileExtensionContentTypeProvider ContentTypes { get; private init; } = null!;

    /// <summary>These settings with <paramref name="own"/>'s set values over them.</summary>
    public EffectiveSettings With(SiteSettings own)
    {
        var methods = own.AllowMethods is { Count: > 0 } given ? new HashSet<string>(given, StringComparer.Ordinal) : null;
        return new EffectiveSettings
        {
            Root = own.Root ?? Root,
            Index = own.Index is { Count: > 0 } index ? [.. index] : Index,
            Autoindex = own.Autoindex ?? Autoindex,
            AllowMethods = methods ?? AllowMethods,
            AllowHeader = methods is null ? AllowHeader : string.Join(", ", own.AllowMethods!.Distinct()),
            ClientMaxBodySize = own.ClientMaxBodySize is { } size ? (size == 0 ? null : size) : ClientMaxBodySize,
            ErrorPages = own.ErrorPages is { Count: > 0 } pages ? Merge(ErrorPages, pages) : ErrorPages,
            Return = own.Return ?? Return,
            UploadStore = own.UploadStore ?? UploadStore,
            Cgi = own.Cgi is { Count: > 0 } cgi ? new Dictionary<string, string>(cgi, StringComparer.OrdinalIgnoreCase) : Cgi,
            CgiTimeout = own.CgiTimeout ?? CgiTimeout,
            DefaultType = own.DefaultType ?? DefaultType,
            ContentTypes = own.Types is { Count: > 0 } types ? WithTypes(ContentTypes, types) : ContentTypes,
        };
    }

    /// <summary>error_page is inherited code by code: a location that adds a page for 500 keeps the server's 404.</summary>
    private static Dictionary<int, string> Merge(IReadOnlyDictionary<int, string> inherited, IDictionary<string, string> own)
    {
        var merged = new Dictionary<int, string>(inherited);
        foreach (var (code, uri) in own)
        {
            merged[int.Parse(code, NumberStyles.None, CultureInfo.InvariantCulture)] = uri;
        }

        return merged;
    }

    private static FileExtensionContentTypeProvider WithTypes(FileExtensionContentTypeProvider inherited, IDictionary<string, string> types)
    {
        var provider = new FileExtensionContentTypeProvider(new Dictionary<string, string>(inherited.Mappings, StringComparer.OrdinalIgnoreCase));
        foreach (var (extension, type) in types)
        {
            provider.Mappings[extension.StartsWith('.') ? extension : "." + extension] = type;
        }

        return provider;
    }
}

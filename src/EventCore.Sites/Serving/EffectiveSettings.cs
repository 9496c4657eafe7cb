using System.Collections.Concurrent;
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

    /// <summary>Bounds the memory of <see cref="ContentTypeOf"/> against clients that invent extensions.</summary>
    private const int MaxRememberedExtensions = 512;

    private ConcurrentDictionary<string, string>? _typesByExtension;

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

    /// <summary>
    /// The Content-Type of a file, as ASP.NET Core's static files choose it (<see cref="ContentTypes"/>, else
    /// <see cref="DefaultType"/>), without allocating: the answer for each extension is remembered.
    /// </summary>
    public string ContentTypeOf(string path)
    {
        var dot = path.LastIndexOf('.');
        if (dot < 0)
        {
            return ContentTypes.TryGetContentType(path, out var type) ? type : DefaultType;
        }

        var extension = path.AsSpan(dot);
        var known = (_typesByExtension ??= new ConcurrentDictionary<string, string>(StringComparer.Ordinal)).GetAlternateLookup<ReadOnlySpan<char>>();
        if (known.TryGetValue(extension, out var cached))
        {
            return cached;
        }

        var found = ContentTypes.TryGetContentType(path, out var mapped) ? mapped : DefaultType;
        if (_typesByExtension.Count < MaxRememberedExtensions)
        {
            // Keyed by the extension as written: the provider's own case rule decides, once per spelling.
            _typesByExtension.TryAdd(extension.ToString(), found);
        }

        return found;
    }

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

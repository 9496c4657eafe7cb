using EventCore.Cgi.Interop;
using Microsoft.AspNetCore.Http;

namespace EventCore.Cgi.Middleware;

/// <summary>
/// Maps a request path to a script under the root: the first path segment (after the request path) that has a
/// mapped extension and is not a folder is the script; what follows is PATH_INFO (<c>/cgi-bin/a.py/x/y</c> runs
/// <c>a.py</c> with PATH_INFO <c>/x/y</c>). The script must stay inside the root once symlinks are resolved.
/// Immutable after construction; thread-safe.
/// </summary>
internal sealed class ScriptResolver
{
    private readonly string _root;
    private readonly string _documentRoot;
    private readonly PathString _requestPath;
    private readonly Dictionary<string, string?> _interpreters;
    private readonly TimeSpan? _timeout;

    public ScriptResolver(CgiMiddlewareOptions options)
    {
        var root = Path.GetFullPath(options.RootPath);
        _root = Libc.RealPath(root) is { } real && Directory.Exists(real)
            ? real.TrimEnd('/')
            : throw new InvalidOperationException($"The CGI root folder \"{options.RootPath}\" does not exist.");
        _documentRoot = options.DocumentRoot is null ? _root : Path.GetFullPath(options.DocumentRoot).TrimEnd('/');
        _requestPath = options.RequestPath;
        _timeout = options.Timeout;
        _interpreters = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (extension, interpreter) in options.Interpreters)
        {
            _interpreters[extension.StartsWith('.') ? extension : "." + extension] = interpreter;
        }
    }

    public ScriptResolution Resolve(PathString pathBase, PathString path, out CgiScript? script)
    {
        script = null;
        if (!path.StartsWithSegments(_requestPath, out var remaining) || !remaining.HasValue)
        {
            return ScriptResolution.NotCgi;
        }

        var rest = remaining.Value!;
        var folder = _root;
        var start = 1;
        while (start < rest.Length)
        {
            var end = rest.IndexOf('/', start);
            if (end < 0)
            {
                end = rest.Length;
            }

            var segment = rest[start..end];
            if (segment is "." or ".." || segment.Contains('\0', StringComparison.Ordinal))
            {
                return ScriptResolution.Outside;
            }

            var candidate = folder + "/" + segment;
            if (segment.Length > 0 && !Directory.Exists(candidate)
                && _interpreters.TryGetValue(Path.GetExtension(segment), out var interpreter))
            {
                return MakeScript(candidate, interpreter, pathBase + _requestPath + rest[..end], rest[end..], out script);
            }

            if (segment.Length > 0 && !Directory.Exists(candidate))
            {
                return ScriptResolution.NotCgi;
            }

            folder = candidate;
            start = end + 1;
        }

        return ScriptResolution.NotCgi;
    }

    private ScriptResolution MakeScript(string file, string? interpreter, string scriptName, string pathInfo, out CgiScript? script)
    {
        script = null;

        // A missing file stays a script (the executor answers 404); an existing one must resolve inside the root.
        if (File.Exists(file) && (Libc.RealPath(file) is not { } real || !real.StartsWith(_root + "/", StringComparison.Ordinal)))
        {
            return ScriptResolution.Outside;
        }

        script = new CgiScript
        {
            ScriptFileName = file,
            Interpreter = interpreter,
            ScriptName = scriptName,
            PathInfo = pathInfo,
            DocumentRoot = _documentRoot,
            Timeout = _timeout,
        };
        return ScriptResolution.Script;
    }
}

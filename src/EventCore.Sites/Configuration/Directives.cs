using System.Globalization;
using System.Text.RegularExpressions;
using static EventCore.Sites.Configuration.DirectiveContext;

namespace EventCore.Sites.Configuration;

/// <summary>
/// The directive table: every directive the configuration language knows, where it may stand, its arguments and
/// the configuration keys it writes. docs/webserv.md documents each one (a test holds the two together).
/// </summary>
internal static class Directives
{
    private const DirectiveContext ServerOrLocation = Server | Location;

    public static IReadOnlyList<Directive> All { get; } =
    [
        new("include", Any, 1, 1, (_, node) => throw node.Error("include is expanded by the parser")),
        new("workers", Global, 1, 1, Workers),
        new("server", Global, 0, 0, ServerBlock, Block: true, Repeatable: true),
        new("listen", Server, 1, 1, Listen, Repeatable: true),
        new("server_name", Server, 1, -1, ServerName, Repeatable: true),
        new("location", ServerOrLocation, 1, 2, LocationBlock, Block: true, Repeatable: true),
        new("root", ServerOrLocation, 1, 1, RootOrAlias),
        new("alias", Location, 1, 1, RootOrAlias),
        new("index", ServerOrLocation, 1, -1, Index),
        new("autoindex", ServerOrLocation, 1, 1, (scope, node) => scope.Set("Autoindex", Value(node, ConfigValues.Switch(node.Arguments[0]), "on or off") ? "true" : "false")),
        new("allow_methods", ServerOrLocation, 1, -1, AllowMethods),
        new("client_max_body_size", Any, 1, 1, (scope, node) => scope.Set("ClientMaxBodySize", Text(Value(node, ConfigValues.Size(node.Arguments[0]), "a size such as 512, 10k, 10m or 1g")))),
        new("error_page", ServerOrLocation, 2, -1, ErrorPage, Repeatable: true),
        new("return", ServerOrLocation, 1, 2, Return),
        new("upload_store", ServerOrLocation, 1, 1, (scope, node) => scope.Set("UploadStore", FullPath(node, node.Arguments[0]))),
        new("cgi", ServerOrLocation, 2, 2, Cgi, Repeatable: true),
        new("cgi_timeout", Any, 1, 1, (scope, node) => scope.Set("CgiTimeout", Duration(node))),
        new("cgi_max_processes", Global, 1, 1, (scope, node) => scope.Set("CgiMaxProcesses", Text(Value(node, ConfigValues.Count(node.Arguments[0], 1), "a number from 1")))),
        new("keepalive_timeout", Global | Server, 1, 1, (scope, node) => scope.Set("KeepaliveTimeout", Duration(node))),
        new("client_header_timeout", Global | Server, 1, 1, (scope, node) => scope.Set("ClientHeaderTimeout", Duration(node))),
        new("client_body_timeout", Global | Server, 1, 1, (scope, node) => scope.Set("ClientBodyTimeout", Duration(node))),
        new("send_timeout", Global | Server, 1, 1, (scope, node) => scope.Set("SendTimeout", Duration(node))),
        new("access_log", Global | Server, 1, 1, (scope, node) => scope.Set("AccessLog", node.Arguments[0] == "off" ? "off" : FullPath(node, node.Arguments[0]))),
        new("types_file", Any, 1, 1, TypesFile.Apply),
        new("default_type", Any, 1, 1, (scope, node) => scope.Set("DefaultType", MediaType(node, node.Arguments[0]))),
    ];

    public static IReadOnlyDictionary<string, Directive> ByName { get; } = All.ToDictionary(d => d.Name, StringComparer.Ordinal);

    public static T Value<T>(ConfigNode node, T? value, string expected)
        where T : struct =>
        value ?? throw Invalid(node, node.Arguments[0], expected);

    public static WebservConfigException Invalid(ConfigNode node, string value, string expected) =>
        node.Error($"invalid value \"{value}\" in \"{node.Name}\" directive: expected {expected}");

    public static string MediaType(ConfigNode node, string value) =>
        Regex.IsMatch(value, "^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$") ? value : throw Invalid(node, value, "a media type such as text/html");

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Duration(ConfigNode node) =>
        Value(node, ConfigValues.Duration(node.Arguments[0]), "a duration such as 500ms, 30s, 5m or 1h").ToString("c", CultureInfo.InvariantCulture);

    private static string FullPath(ConfigNode node, string path) => Path.GetFullPath(path, node.Folder);

    private static void Workers(ConfigScope scope, ConfigNode node)
    {
        if (node.Arguments[0] != "auto")
        {
            scope.Set("Workers", Text(Value(node, ConfigValues.Count(node.Arguments[0], 1), "a number from 1, or auto")));
        }
    }

    private static void ServerBlock(ConfigScope scope, ConfigNode node)
    {
        var server = scope.Child(Server, "Servers", node);
        ConfigCompiler.CompileBlock(server, node.Children!);
        // The default address is written out: it also keeps an otherwise empty "server { }" in the configuration.
        if (server.Values("Listen").Count == 0)
        {
            server.Add("Listen", "*:8080");
        }

        var listens = server.Values("Listen");
        var names = server.Values("ServerName") is { Count: > 0 } named ? named : [""];
        foreach (var listen in listens)
        {
            foreach (var name in names)
            {
                if (!server.VirtualHosts.TryAdd(listen + " " + name, node))
                {
                    var first = server.VirtualHosts[listen + " " + name];
                    throw node.Error($"duplicate listen {listen} with server_name \"{name}\" (the same pair is at {first.File}:{first.Line})");
                }
            }
        }
    }

    private static void Listen(ConfigScope scope, ConfigNode node)
    {
        var listen = ConfigValues.Listen(node.Arguments[0]) ?? throw Invalid(node, node.Arguments[0], "[HOST:]PORT with an IPv4 address, [IPv6], * or localhost and a port 1-65535");
        if (scope.Values("Listen").Contains(listen))
        {
            throw node.Error($"duplicate listen {listen} in one server");
        }

        scope.Add("Listen", listen);
    }

    private static void ServerName(ConfigScope scope, ConfigNode node)
    {
        foreach (var name in node.Arguments)
        {
            var valid = Regex.IsMatch(name, @"^(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$") || name.Length == 0;
            scope.Add("ServerName", valid ? name.ToLowerInvariant().TrimEnd('.') : throw Invalid(node, name, "a host name or *.domain"));
        }
    }

    private static void LocationBlock(ConfigScope scope, ConfigNode node)
    {
        var (modifier, path) = node.Arguments.Count == 2 ? (node.Arguments[0], node.Arguments[1]) : ("", node.Arguments[0]);
        switch (modifier)
        {
            case "" or "=" or "^~" when path.StartsWith('/'):
                break;
            case "" or "=" or "^~":
                throw Invalid(node, path, "a path starting with /");
            case "~" or "~*":
                CheckRegex(node, path, modifier == "~*");
                break;
            default:
                throw Invalid(node, modifier, "=, ~, ~* or ^~ before the path");
        }

        // As nginx: a nested prefix or exact location lies inside its parent's prefix, and an exact one has none.
        if (scope.Context == Location && modifier is "" or "=" or "^~")
        {
            var (parentMatch, parentPath) = (scope.Data[scope.Prefix + "Match"], scope.Data[scope.Prefix + "Path"]!);
            if (parentMatch == "=")
            {
                throw node.Error($"location \"{path}\" cannot be inside the exact location \"{parentPath}\"");
            }

            if (parentMatch is not ("~" or "~*") && !path.StartsWith(parentPath, StringComparison.Ordinal))
            {
                throw node.Error($"location \"{path}\" is outside location \"{parentPath}\"");
            }
        }

        var location = scope.Child(Location, "Locations", node);
        location.Set("Match", modifier);
        location.Set("Path", path);
        ConfigCompiler.CompileBlock(location, node.Children!);
    }

    private static void CheckRegex(ConfigNode node, string pattern, bool ignoreCase)
    {
        try
        {
            _ = new Regex(pattern, ignoreCase ? RegexOptions.IgnoreCase | RegexOptions.CultureInvariant : RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw Invalid(node, pattern, "a regular expression (" + e.Message + ")");
        }
    }

    private static void RootOrAlias(ConfigScope scope, ConfigNode node)
    {
        var other = node.Name == "root" ? "alias" : "root";
        if (scope.Has(other))
        {
            throw node.Error($"\"{node.Name}\" directive is duplicate, \"{other}\" directive was specified earlier");
        }

        if (node.Name == "alias" && scope.Data[scope.Prefix + "Match"] is "~" or "~*")
        {
            throw node.Error("\"alias\" directive is not supported in a regex location (use root)");
        }

        scope.Set(node.Name == "root" ? "Root" : "Alias", FullPath(node, node.Arguments[0]));
    }

    private static void Index(ConfigScope scope, ConfigNode node)
    {
        foreach (var name in node.Arguments)
        {
            scope.Add("Index", name.Length > 0 && !name.Contains('/', StringComparison.Ordinal) ? name : throw Invalid(node, name, "a file name"));
        }
    }

    private static void AllowMethods(ConfigScope scope, ConfigNode node)
    {
        foreach (var method in node.Arguments)
        {
            scope.Add("AllowMethods", Regex.IsMatch(method, "^[A-Z]+$") ? method : throw Invalid(node, method, "a method name in upper case (GET, POST, ...)"));
        }
    }

    private static void ErrorPage(ConfigScope scope, ConfigNode node)
    {
        var uri = node.Arguments[^1];
        if (!uri.StartsWith('/') && !uri.StartsWith("http://", StringComparison.Ordinal) && !uri.StartsWith("https://", StringComparison.Ordinal))
        {
            throw Invalid(node, uri, "a URI starting with / or http(s)://");
        }

        foreach (var code in node.Arguments.SkipLast(1))
        {
            var status = ConfigValues.Count(code, 300) is { } value && value <= 599 ? value : throw Invalid(node, code, "a status code from 300 to 599");
            scope.Set("ErrorPages:" + status.ToString(CultureInfo.InvariantCulture), uri);
        }
    }

    private static void Return(ConfigScope scope, ConfigNode node)
    {
        var first = node.Arguments[0];
        if (node.Arguments.Count == 1 && (first.StartsWith("http://", StringComparison.Ordinal) || first.StartsWith("https://", StringComparison.Ordinal)))
        {
            scope.Set("Return:Code", "302");
            scope.Set("Return:Text", first);
            return;
        }

        var code = ConfigValues.Count(first, 100) is { } value && value <= 599 ? value : throw Invalid(node, first, "a status code from 100 to 599, or a URL");
        if (code is 301 or 302 or 303 or 307 or 308 && node.Arguments.Count == 1)
        {
            throw node.Error($"\"return {code}\" needs the URL to redirect to");
        }

        scope.Set("Return:Code", code.ToString(CultureInfo.InvariantCulture));
        if (node.Arguments.Count == 2)
        {
            scope.Set("Return:Text", node.Arguments[1]);
        }
    }

    private static void Cgi(ConfigScope scope, ConfigNode node)
    {
        var (extension, interpreter) = (node.Arguments[0], node.Arguments[1]);
        if (!Regex.IsMatch(extension, @"^\.[A-Za-z0-9_-]+$"))
        {
            throw Invalid(node, extension, "a file extension with its dot, such as .php");
        }

        var key = "Cgi:" + extension.ToLowerInvariant();
        if (scope.Data.ContainsKey(scope.Prefix + key))
        {
            throw node.Error($"duplicate \"cgi {extension}\" in one block");
        }

        // "exec" runs the script itself; a bare name is looked up in PATH when the script runs; a path is made absolute.
        scope.Set(key, interpreter == "exec" || !interpreter.Contains('/', StringComparison.Ordinal) ? interpreter : FullPath(node, interpreter));
    }
}

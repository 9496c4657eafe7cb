using System.Globalization;
using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Cgi.Execution;

/// <summary>
/// The environment of one script (RFC 3875 §4.1): the CGI meta-variables, the request's header fields as
/// <c>HTTP_*</c>, <c>PATH</c> and <see cref="CgiOptions.Environment"/>; nothing else of the host's environment.
/// </summary>
internal static class CgiEnvironment
{
    /// <summary>The <c>SERVER_SOFTWARE</c> value.</summary>
    public static readonly string ServerSoftware = "EventCore.Cgi/" + (typeof(CgiEnvironment).Assembly.GetName().Version ?? new Version(1, 0)).ToString(2);

    private static readonly string s_hostPath = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";

    /// <summary>"NAME=value" strings for the script. <paramref name="contentLength"/> is the body length the script can read, if known.</summary>
    public static List<string> Build(HttpContext context, CgiScript script, CgiOptions options, long? contentLength)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in options.Environment)
        {
            variables[name] = value;
        }

        variables.TryAdd("PATH", s_hostPath);
        AddHeaders(variables, context.Request.Headers, options.PassAuthorizationHeader);
        AddMetaVariables(variables, context, script, contentLength);

        var result = new List<string>(variables.Count);
        foreach (var (name, value) in variables)
        {
            // A NUL would end the string early in the child (and no header value can hold one anyway).
            if (!name.Contains('\0', StringComparison.Ordinal) && !value.Contains('\0', StringComparison.Ordinal) && !name.Contains('=', StringComparison.Ordinal))
            {
                result.Add(name + "=" + value);
            }
        }

        return result;
    }

    private static void AddMetaVariables(Dictionary<string, string> variables, HttpContext context, CgiScript script, long? contentLength)
    {
        var request = context.Request;
        var connection = context.Connection;
        variables["GATEWAY_INTERFACE"] = "CGI/1.1";
        variables["SERVER_SOFTWARE"] = ServerSoftware;
        variables["SERVER_NAME"] = ServerName(context);
        variables["SERVER_PORT"] = ServerPort(context).ToString(CultureInfo.InvariantCulture);
        variables["SERVER_PROTOCOL"] = request.Protocol;
        variables["REQUEST_METHOD"] = request.Method;
        variables["REQUEST_URI"] = RequestUri(context);
        variables["REQUEST_SCHEME"] = request.Scheme;
        variables["SCRIPT_NAME"] = script.ScriptName;
        variables["SCRIPT_FILENAME"] = script.ScriptFileName;
        variables["PATH_INFO"] = script.PathInfo;
        if (script.PathInfo.Length > 0)
        {
            // RFC 3875 §4.1.6: PATH_INFO mapped the way the server maps a URI path to a file, from the document root.
            variables["PATH_TRANSLATED"] = script.DocumentRoot.TrimEnd('/') + script.PathInfo;
        }

        variables["QUERY_STRING"] = request.QueryString.HasValue ? request.QueryString.Value![1..] : "";
        variables["DOCUMENT_ROOT"] = script.DocumentRoot;

        // php-cgi refuses to run (cgi.force_redirect) unless the server says it started it; harmless for others.
        variables["REDIRECT_STATUS"] = "200";
        if (contentLength is { } length)
        {
            variables["CONTENT_LENGTH"] = length.ToString(CultureInfo.InvariantCulture);
        }

        if (request.ContentType is { Length: > 0 } contentType)
        {
            variables["CONTENT_TYPE"] = contentType;
        }

        if (Address(connection.RemoteIpAddress) is { } remote)
        {
            variables["REMOTE_ADDR"] = remote;
            variables["REMOTE_HOST"] = remote;
            variables["REMOTE_PORT"] = connection.RemotePort.ToString(CultureInfo.InvariantCulture);
        }

        if (Address(connection.LocalIpAddress) is { } local)
        {
            variables["SERVER_ADDR"] = local;
        }

        if (request.IsHttps)
        {
            variables["HTTPS"] = "on";
        }

        if (context.User.Identity is { IsAuthenticated: true } identity)
        {
            variables["AUTH_TYPE"] = identity.AuthenticationType ?? "";
            variables["REMOTE_USER"] = identity.Name ?? "";
        }
    }

    private static void AddHeaders(Dictionary<string, string> variables, IHeaderDictionary headers, bool passAuthorization)
    {
        foreach (var (name, values) in headers)
        {
            if (!IsPassed(name, passAuthorization))
            {
                continue;
            }

            var separator = name.Equals("Cookie", StringComparison.OrdinalIgnoreCase) ? "; " : ", ";
            variables[VariableName(name)] = values.Count == 1 ? values[0] ?? "" : string.Join(separator, values.ToArray());
        }
    }

    /// <summary>
    /// Which header fields become <c>HTTP_*</c>: not those carried by other variables (Content-Length, Content-Type),
    /// not the body's framing (Transfer-Encoding: the script reads a decoded body), not credentials (RFC 3875
    /// §4.1.18), never <c>Proxy</c> (HTTP_PROXY is read as a proxy setting by many libraries: "httpoxy"), and only
    /// names of letters, digits and '-': a name with '_' (or anything else) could pose as another variable
    /// (<c>X_Forwarded_For</c> would read as <c>X-Forwarded-For</c>), so it is dropped, as nginx and Apache do.
    /// </summary>
    private static bool IsPassed(string name, bool passAuthorization)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return name.Length > 0
            && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
            && !name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
            && !name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
            && !name.Equals("Proxy", StringComparison.OrdinalIgnoreCase)
            && !name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)
            && (passAuthorization || !name.Equals("Authorization", StringComparison.OrdinalIgnoreCase));
    }

    private static string VariableName(string headerName) => string.Create(headerName.Length + 5, headerName, static (span, name) =>
    {
        "HTTP_".CopyTo(span);
        for (var i = 0; i < name.Length; i++)
        {
            span[i + 5] = name[i] == '-' ? '_' : char.ToUpperInvariant(name[i]);
        }
    });

    private static string ServerName(HttpContext context)
    {
        var host = context.Request.Host;
        if (host.HasValue && host.Host.Length > 0)
        {
            return host.Host;
        }

        return context.Connection.LocalIpAddress is { } local
            ? (local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + Address(local) + "]" : Address(local)!)
            : "localhost";
    }

    private static int ServerPort(HttpContext context)
    {
        if (context.Connection.LocalPort > 0)
        {
            return context.Connection.LocalPort;
        }

        return context.Request.Host.Port ?? (context.Request.IsHttps ? 443 : 80);
    }

    /// <summary>The request-target as the client sent it, when the server keeps it; else rebuilt from the path and query.</summary>
    private static string RequestUri(HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (!string.IsNullOrEmpty(rawTarget))
        {
            return rawTarget;
        }

        var request = context.Request;
        return (request.PathBase + request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
    }

    private static string? Address(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }
}

using System.Text;
using Microsoft.AspNetCore.Http;

namespace EventCore.Server.Http1;

/// <summary>The request-line grammar: <c>method SP request-target SP HTTP-version</c> (RFC 9112 §3).</summary>
internal sealed partial class HttpParser
{
    /// <summary>Validates a whole request line (without its CRLF) and hands it to the handler. A bare CR in it is a 400.</summary>
    private static RequestRejection ParseRequestLineContent<THandler>(THandler handler, ReadOnlySpan<byte> line)
        where THandler : IHttpRequestLineHandler
    {
        // The methods nearly every request uses, recognised with one compare; any other goes through the token scan.
        (int methodEnd, string? knownMethod) = line.StartsWith("GET "u8) ? (3, HttpMethods.Get)
            : line.StartsWith("POST "u8) ? (4, HttpMethods.Post)
            : line.StartsWith("HEAD "u8) ? (4, HttpMethods.Head)
            : line.StartsWith("PUT "u8) ? (3, HttpMethods.Put)
            : (line.IndexOfAnyExcept(HttpCharacters.Token), null);
        if (methodEnd <= 0)
        {
            return RequestRejection.InvalidRequestLine;
        }

        ReadOnlySpan<byte> method = line[..methodEnd];
        RequestRejection rejection = TrySplitCommonLine(line, methodEnd, out ReadOnlySpan<byte> target, out HttpVersion version)
            ? RequestRejection.None
            : SplitLine(line, methodEnd, out target, out version);
        if (rejection != RequestRejection.None)
        {
            return rejection;
        }

        rejection = ParseTarget(method, target, out RequestTargetForm form, out ReadOnlySpan<byte> path, out ReadOnlySpan<byte> query, out ReadOnlySpan<byte> authority);
        if (rejection != RequestRejection.None)
        {
            return rejection;
        }

        handler.OnRequestLine(new RequestLine
        {
            Method = knownMethod ?? GetKnownMethod(method) ?? Encoding.ASCII.GetString(method),
            Version = version,
            Form = form,
            Target = target,
            Path = path,
            Query = query,
            Authority = authority,
        });
        return RequestRejection.None;
    }

    /// <summary>
    /// The common line in one step: <c>method SP target SP HTTP/1.1</c> (or <c>HTTP/1.0</c>) whose target holds
    /// request-target bytes only. The version is the fixed tail, so the target ends where the tail begins: no search
    /// for a CR or for the space after the target, no version grammar. Such a line holds no CR or other SP (the
    /// method is a token, the target has neither), so <see cref="SplitLine"/> would split it the same way and accept
    /// it; any other line returns false and takes that general path, which decides and names its rejection.
    /// </summary>
    private static bool TrySplitCommonLine(ReadOnlySpan<byte> line, int methodEnd, out ReadOnlySpan<byte> target, out HttpVersion version)
    {
        const int TailLength = 9; // " HTTP/1.1"
        target = default;
        version = HttpVersion.Http11;
        if (line.Length <= methodEnd + 1 + TailLength || line[methodEnd] != (byte)' ' || !line[^TailLength..^1].SequenceEqual(" HTTP/1."u8)
            || line[^1] is not ((byte)'1' or (byte)'0'))
        {
            return false;
        }

        target = line[(methodEnd + 1)..^TailLength];
        version = line[^1] == (byte)'0' ? HttpVersion.Http10 : HttpVersion.Http11;
        return !target.ContainsAnyExcept(HttpCharacters.Target);
    }

    /// <summary>
    /// The general grammar of a line <see cref="TrySplitCommonLine"/> did not take: a CR anywhere, a method not ended
    /// by SP, an empty target, any version, a target with bytes a request-target may not hold.
    /// </summary>
    private static RequestRejection SplitLine(ReadOnlySpan<byte> line, int methodEnd, out ReadOnlySpan<byte> target, out HttpVersion version)
    {
        target = default;
        version = HttpVersion.Http11;
        if (line.Contains((byte)'\r'))
        {
            return RequestRejection.InvalidRequestLine;
        }

        if (line[methodEnd] != (byte)' ')
        {
            return RequestRejection.InvalidMethod;
        }

        ReadOnlySpan<byte> rest = line[(methodEnd + 1)..];
        int targetEnd = rest.IndexOf((byte)' ');
        if (targetEnd <= 0)
        {
            return RequestRejection.InvalidRequestLine;
        }

        target = rest[..targetEnd];
        RequestRejection rejection = ParseVersion(rest[(targetEnd + 1)..], out version);
        return rejection != RequestRejection.None ? rejection
            : target.ContainsAnyExcept(HttpCharacters.Target) ? RequestRejection.InvalidRequestTarget
            : RequestRejection.None;
    }

    /// <summary>
    /// <c>HTTP/1.0</c> and <c>HTTP/1.1</c>; <c>HTTP/1.x</c> (x &gt; 1) is served as 1.1; a well-formed major version
    /// of 2 or more (<c>HTTP/2.0</c>, also the bare <c>HTTP/2</c> and <c>HTTP/3</c>) is 505; anything else is 400.
    /// </summary>
    private static RequestRejection ParseVersion(ReadOnlySpan<byte> text, out HttpVersion version)
    {
        version = HttpVersion.Http11;
        if (text.Length < 6 || !text.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)text[5]))
        {
            return RequestRejection.InvalidHttpVersion;
        }

        bool hasMinor = text.Length == 8 && text[6] == (byte)'.' && char.IsAsciiDigit((char)text[7]);
        if (!hasMinor && text.Length != 6)
        {
            return RequestRejection.InvalidHttpVersion;
        }

        int major = text[5] - '0';
        if (major >= 2)
        {
            return RequestRejection.UnsupportedHttpVersion;
        }

        if (major == 0 || !hasMinor)
        {
            return RequestRejection.InvalidHttpVersion;
        }

        version = text[7] == (byte)'0' ? HttpVersion.Http10 : HttpVersion.Http11;
        return RequestRejection.None;
    }

    /// <summary>
    /// Classifies the request-target (RFC 9112 §3.2), its bytes already checked: origin-form (not for CONNECT),
    /// asterisk-form (OPTIONS only), authority-form (CONNECT only, port required), absolute-form with an http or https scheme.
    /// </summary>
    private static RequestRejection ParseTarget(ReadOnlySpan<byte> method, ReadOnlySpan<byte> target, out RequestTargetForm form, out ReadOnlySpan<byte> path, out ReadOnlySpan<byte> query, out ReadOnlySpan<byte> authority)
    {
        form = RequestTargetForm.Origin;
        path = query = authority = default;
        if (method.SequenceEqual("CONNECT"u8))
        {
            form = RequestTargetForm.Authority;
            authority = target;
            return HttpCharacters.IsValidHostAndPort(target, requirePort: true) ? RequestRejection.None : RequestRejection.InvalidRequestTarget;
        }

        if (target[0] == (byte)'/')
        {
            SplitPathAndQuery(target, out path, out query);
            return RequestRejection.None;
        }

        if (target.SequenceEqual("*"u8))
        {
            form = RequestTargetForm.Asterisk;
            return method.SequenceEqual("OPTIONS"u8) ? RequestRejection.None : RequestRejection.InvalidRequestTarget;
        }

        form = RequestTargetForm.Absolute;
        return ParseAbsoluteForm(target, out path, out query, out authority);
    }

    /// <summary><c>http(s)://authority[/path][?query]</c>; the scheme is case-insensitive, the authority has no userinfo.</summary>
    private static RequestRejection ParseAbsoluteForm(ReadOnlySpan<byte> target, out ReadOnlySpan<byte> path, out ReadOnlySpan<byte> query, out ReadOnlySpan<byte> authority)
    {
        path = query = authority = default;
        int schemeLength = StartsWithIgnoreCase(target, "http://"u8) ? 7 : StartsWithIgnoreCase(target, "https://"u8) ? 8 : 0;
        if (schemeLength == 0)
        {
            return RequestRejection.InvalidRequestTarget;
        }

        ReadOnlySpan<byte> rest = target[schemeLength..];
        int authorityEnd = rest.IndexOfAny((byte)'/', (byte)'?');
        authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        if (!HttpCharacters.IsValidHostAndPort(authority))
        {
            return RequestRejection.InvalidRequestTarget;
        }

        ReadOnlySpan<byte> pathAndQuery = authorityEnd < 0 ? default : rest[authorityEnd..];
        SplitPathAndQuery(pathAndQuery, out path, out query);
        path = path.IsEmpty ? "/"u8 : path;
        return RequestRejection.None;
    }

    private static void SplitPathAndQuery(ReadOnlySpan<byte> pathAndQuery, out ReadOnlySpan<byte> path, out ReadOnlySpan<byte> query)
    {
        int questionMark = pathAndQuery.IndexOf((byte)'?');
        path = questionMark < 0 ? pathAndQuery : pathAndQuery[..questionMark];
        query = questionMark < 0 ? default : pathAndQuery[questionMark..];
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> prefix)
        => value.Length >= prefix.Length && Ascii.EqualsIgnoreCase(value[..prefix.Length], prefix);

    /// <summary>The cached <see cref="HttpMethods"/> string of a standard method (case-sensitive, RFC 9110 §9.1), else null.</summary>
    private static string? GetKnownMethod(ReadOnlySpan<byte> method) => method.Length switch
    {
        3 when method.SequenceEqual("GET"u8) => HttpMethods.Get,
        3 when method.SequenceEqual("PUT"u8) => HttpMethods.Put,
        4 when method.SequenceEqual("POST"u8) => HttpMethods.Post,
        4 when method.SequenceEqual("HEAD"u8) => HttpMethods.Head,
        5 when method.SequenceEqual("PATCH"u8) => HttpMethods.Patch,
        5 when method.SequenceEqual("TRACE"u8) => HttpMethods.Trace,
        6 when method.SequenceEqual("DELETE"u8) => HttpMethods.Delete,
        7 when method.SequenceEqual("OPTIONS"u8) => HttpMethods.Options,
        7 when method.SequenceEqual("CONNECT"u8) => HttpMethods.Connect,
        _ => null,
    };
}

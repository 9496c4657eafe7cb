using Microsoft.AspNetCore.Http;

namespace EventCore.Cgi;

/// <summary>
/// What to run for one request, resolved by the caller (the sites middleware, <c>UseCgi</c>, or your own code) and
/// handed to <see cref="CgiExecutor.ExecuteAsync"/>.
/// </summary>
public sealed class CgiScript
{
    /// <summary>Absolute path of the script file (<c>SCRIPT_FILENAME</c>). The script runs in its folder.</summary>
    public required string ScriptFileName { get; init; }

    /// <summary>
    /// The program that runs the script, e.g. <c>/usr/bin/php-cgi</c> or <c>/usr/bin/python3</c> (a bare name is
    /// looked up in the host's <c>PATH</c>); it gets the script's path as its one argument. Null: the script file is
    /// executed itself (it must be executable, else 403).
    /// </summary>
    public string? Interpreter { get; init; }

    /// <summary>The URI path of the script (<c>SCRIPT_NAME</c>), e.g. <c>/cgi-bin/env.py</c>.</summary>
    public required string ScriptName { get; init; }

    /// <summary>
    /// The part of the request path after <see cref="ScriptName"/> (<c>PATH_INFO</c>), e.g. <c>/extra/path</c>; empty
    /// when none. When set, <c>PATH_TRANSLATED</c> is <see cref="DocumentRoot"/> + <c>PATH_INFO</c>.
    /// </summary>
    public string PathInfo { get; init; } = "";

    /// <summary>The document root of the site (<c>DOCUMENT_ROOT</c>).</summary>
    public required string DocumentRoot { get; init; }

    /// <summary>Overrides <see cref="CgiOptions.Timeout"/> for this script.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// Serves a local redirect (RFC 3875 §6.2.2: the script answered only <c>Location: /path</c>). It is called after
    /// the script has ended, with the request rewritten to a GET (a HEAD stays HEAD) of that path and query, without a
    /// body, and with the endpoint cleared; the request is restored afterwards. Give it the delegate that dispatches a
    /// request in your app (<c>UseCgi</c> passes its own middleware, which serves other scripts and hands anything
    /// else to the rest of the pipeline). Null: the executor answers 302 with that <c>Location</c>, so the client asks
    /// for it itself.
    /// </summary>
    public RequestDelegate? LocalRedirect { get; init; }
}

using EventCore.Cgi.Execution;
using EventCore.Cgi.Interop;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventCore.Cgi;

/// <summary>
/// Runs one CGI/1.1 script (RFC 3875) for one request and writes its response: status, headers and body, or the
/// fault status (404 missing, 403 not runnable, 502 no valid header block or a crash before it, 503 over
/// <see cref="CgiOptions.MaxProcesses"/>, 504 over the time limit). Registered as a singleton by
/// <c>services.AddCgi()</c>; thread-safe. Never throws for what a script or a client does. Fault answers have no body,
/// so the app's status-code pages (or a site's error pages) can fill them in.
/// </summary>
/// <remarks>
/// Nothing here waits synchronously: the spawn runs on the thread pool, and every pipe read and write and the wait for
/// the script's exit are asynchronous, so it can be called on a server's event loop (EventCore's inline scheduling).
/// </remarks>
public sealed class CgiExecutor
{
    private readonly CgiOptions _options;
    private readonly ILogger _logger;
    private int _running;

    /// <summary>Creates the executor (normally done by dependency injection: <c>services.AddCgi()</c>).</summary>
    public CgiExecutor(IOptions<CgiOptions> options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options.Value;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxProcesses, 1, "CgiOptions.MaxProcesses");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.Timeout, TimeSpan.Zero, "CgiOptions.Timeout");
        _logger = loggerFactory.CreateLogger(CgiLog.Category);
    }

    /// <summary>Scripts running at this moment (each holds one of <see cref="CgiOptions.MaxProcesses"/>).</summary>
    public int RunningProcesses => Volatile.Read(ref _running);

    /// <summary>
    /// Runs <paramref name="script"/> for the request in <paramref name="context"/> and writes the response; completes
    /// when the script has ended and been reaped. Call it before the response has started.
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="CgiScript.ScriptFileName"/> is not an absolute path.</exception>
    public async Task ExecuteAsync(HttpContext context, CgiScript script)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(script);
        if (!Path.IsPathFullyQualified(script.ScriptFileName))
        {
            throw new ArgumentException($"CgiScript.ScriptFileName must be an absolute path: \"{script.ScriptFileName}\".", nameof(script));
        }

        if (ScriptCheck.Check(script, _logger) is { } status)
        {
            context.Response.StatusCode = status;
            return;
        }

        if (Interlocked.Increment(ref _running) > _options.MaxProcesses)
        {
            Interlocked.Decrement(ref _running);
            CgiLog.TooManyProcesses(_logger, _options.MaxProcesses, script.ScriptName);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        string? redirect;
        try
        {
            redirect = await RunAsync(context, script);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }

        if (redirect is null)
        {
            return;
        }

        if (script.LocalRedirect is { } handler)
        {
            await LocalRedirect.DispatchAsync(context, handler, redirect, _logger);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = redirect;
        }
    }

    private async Task<string?> RunAsync(HttpContext context, CgiScript script)
    {
        var (program, arguments) = Command(script);
        if (program is null)
        {
            CgiLog.SpawnFailed(_logger, script.Interpreter!, script.ScriptName, Errno.ENOENT, StatusCodes.Status502BadGateway);
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            return null;
        }

        using var run = new CgiRun(context, script, _options, _logger);
        if (!await run.PrepareRequestBodyAsync())
        {
            return null;
        }

        var environment = run.BuildEnvironment();
        var error = await StartAsync(run, program, arguments, environment);
        if (error != Errno.None)
        {
            var status = SpawnFailureStatus(error, script.Interpreter is null);
            CgiLog.SpawnFailed(_logger, program, script.ScriptName, error, status);
            context.Response.StatusCode = status;
            return null;
        }

        return await run.RunAsync();
    }

    /// <summary>
    /// Spawns on the thread pool (a clone and an exec, kept off the caller's thread, which may be a server loop).
    /// ETXTBSY is retried: the file was open for writing in a child that another thread of the host forked at that
    /// moment and that had not yet reached its own exec (every fork copies every descriptor, close-on-exec or not);
    /// that lasts microseconds. A file really being written keeps failing and is answered 502.
    /// </summary>
    private async Task<Errno> StartAsync(CgiRun run, string program, string[] arguments, List<string> environment)
    {
        var error = Errno.None;
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            error = await Task.Run(() => run.Start(program, arguments, environment));
            if (error != Errno.ETXTBSY)
            {
                break;
            }

            CgiLog.TextFileBusy(_logger, program, attempt);
            await Task.Delay(attempt * 5);
        }

        return error;
    }

    /// <summary>The program to execute and its argv: the interpreter with the script as its argument, or the script itself.</summary>
    private static (string? Program, string[] Arguments) Command(CgiScript script)
    {
        // No query-string words on the command line (RFC 3875 §4.4 allows it; it is what made php-cgi's CVE-2012-1823).
        if (script.Interpreter is null)
        {
            return (script.ScriptFileName, [script.ScriptFileName]);
        }

        var interpreter = ProgramResolver.Resolve(script.Interpreter);
        return (interpreter, interpreter is null ? [] : [interpreter, script.ScriptFileName]);
    }

    private static int SpawnFailureStatus(Errno error, bool executed) => error switch
    {
        Errno.EACCES or Errno.EPERM when executed => StatusCodes.Status403Forbidden,
        Errno.EMFILE or Errno.ENFILE or Errno.EAGAIN or Errno.ENOMEM => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status502BadGateway,
    };
}

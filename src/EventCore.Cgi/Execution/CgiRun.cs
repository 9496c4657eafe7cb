using EventCore.Cgi.Interop;
using EventCore.Cgi.Processes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EventCore.Cgi.Execution;

/// <summary>
/// One script run for one request: its time limit, the request body it is fed, the child process, and the response
/// it produces. Three flows run at once and never block a thread: the request body into stdin
/// (<c>CgiRun.Input.cs</c>), stdout into the response (<c>CgiRun.Output.cs</c>), stderr into the log
/// (<c>CgiRun.StandardError.cs</c>). Whatever happens, <see cref="RunAsync"/> ends with the script's process group
/// killed, the script reaped, both pumps finished and every descriptor closed.
/// </summary>
internal sealed partial class CgiRun : IDisposable
{
    /// <summary>How long stderr is still drained after the script is reaped (only a process that left the group can hold it longer).</summary>
    private static readonly TimeSpan s_standardErrorGrace = TimeSpan.FromSeconds(1);

    private readonly HttpContext _context;
    private readonly CgiScript _script;
    private readonly CgiOptions _options;
    private readonly ILogger _logger;
    private readonly TimeSpan _timeLimit;
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _stop;
    private readonly CancellationTokenSource _standardErrorStop = new();
    private ChildProcess? _child;
    private string? _fault;
    private Exception? _bodyFailure;
    private bool _writingToClient;
    private bool _responseCompleted;

    public CgiRun(HttpContext context, CgiScript script, CgiOptions options, ILogger logger)
    {
        _context = context;
        _script = script;
        _options = options;
        _logger = logger;
        _timeLimit = script.Timeout ?? options.Timeout;
        _timeout = new CancellationTokenSource(_timeLimit);

        // Stops every flow of the run: the time limit, the client going away, or the run ending.
        _stop = CancellationTokenSource.CreateLinkedTokenSource(_timeout.Token, context.RequestAborted);
    }

    /// <summary>The script's environment, once the request body's length is known (<see cref="PrepareRequestBodyAsync"/>).</summary>
    public List<string> BuildEnvironment() => CgiEnvironment.Build(_context, _script, _options, _contentLength);

    /// <summary>Spawns the script. Synchronous (clone + exec): the executor calls it on the thread pool.</summary>
    public Errno Start(string program, IReadOnlyList<string> arguments, IReadOnlyList<string> environment)
    {
        var workingDirectory = Path.GetDirectoryName(_script.ScriptFileName) ?? "/";
        var error = ChildProcess.TryStart(program, arguments, environment, workingDirectory, out _child);
        if (error == Errno.None)
        {
            CgiLog.Started(_logger, _script.ScriptName, _child!.Pid, program);
            if (_options.ScriptNiceValue is int nice)
            {
                Deprioritize(_child.Pid, nice);
            }
        }

        return error;
    }

    /// <summary>
    /// The script's nice value, and its autogroup's: the script leads a session of its own (so that killing its group
    /// reaches everything it started), and with the kernel's autogroup scheduling (sched_autogroup_enabled, the
    /// default on desktop and many server kernels) a new session is a new group that gets as much CPU as the whole
    /// server, whatever the process's nice value. Measured: 8 Python scripts at a time took a pinned server's static
    /// rate down to a fifth; the autogroup's nice is what brings it back.
    /// </summary>
    private void Deprioritize(int pid, int nice)
    {
        if (Libc.SetNice(pid, nice) != 0)
        {
            CgiLog.NiceRefused(_logger, _script.ScriptName, nice, Libc.LastErrno.ToString());
            return;
        }

        try
        {
            File.WriteAllText($"/proc/{pid}/autogroup", nice.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No autogroup scheduling in this kernel (no such file), or the script already exited: nothing to lower.
        }
    }

    /// <summary>
    /// Runs the started script to its end and writes the response (or a fault status). Returns the path of a local
    /// redirect to serve, else null. Never throws for anything the script or the client does.
    /// </summary>
    public async Task<string?> RunAsync()
    {
        var child = _child ?? throw new InvalidOperationException("The script was not started.");
        var input = PumpRequestBodyAsync(child);
        var errors = PumpStandardErrorAsync(child);
        string? redirect = null;
        try
        {
            redirect = await ProduceResponseAsync(child);
            if (_fault is null && redirect is null)
            {
                // The output has ended: the script normally exits at once; it may finish its work within its time.
                await child.Exited.WaitAsync(_stop.Token);
            }
        }
        catch (Exception exception)
        {
            redirect = null;
            OnFailure(exception);
        }
        finally
        {
            // Whatever is left of the group goes: stragglers after a normal end, everything after a fault. The leader
            // is not reaped before the kill, so the group id cannot have been reused.
            child.KillGroup();
            var exit = await child.Exited;
            child.Reap();
            await _stop.CancelAsync();
            _standardErrorStop.CancelAfter(s_standardErrorGrace);
            await input;
            await errors;
            child.Dispose();
            if (_fault is not null)
            {
                CgiLog.InvalidHead(_logger, _script.ScriptName, _fault, exit);
            }

            CgiLog.Ended(_logger, _script.ScriptName, child.Pid, exit);
        }

        return redirect;
    }

    public void Dispose()
    {
        _stop.Dispose();
        _timeout.Dispose();
        _standardErrorStop.Dispose();
        ReturnBodyPrefix();
    }

    private void OnFailure(Exception exception)
    {
        var response = _context.Response;
        if (_timeout.IsCancellationRequested)
        {
            var outcome = _responseCompleted ? "the response had already been sent"
                : response.HasStarted ? "the response was aborted"
                : "answered 504";
            CgiLog.TimedOut(_logger, _script.ScriptName, _timeLimit, outcome);
            Fail(StatusCodes.Status504GatewayTimeout);
        }
        else if (_bodyFailure is not null && !_context.RequestAborted.IsCancellationRequested)
        {
            CgiLog.RequestBodyFailed(_logger, _script.ScriptName, _bodyFailure.Message);
            Fail(_bodyFailure is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest);
        }
        else if (_context.RequestAborted.IsCancellationRequested || _writingToClient)
        {
            CgiLog.ClientGone(_logger, _script.ScriptName);
            _context.Abort();
        }
        else
        {
            CgiLog.Failed(_logger, _script.ScriptName, exception);
            Fail(StatusCodes.Status502BadGateway);
        }
    }

    /// <summary>A fault status when nothing was sent yet; else the response is cut off (abort), unless it was already complete.</summary>
    private void Fail(int status)
    {
        var response = _context.Response;
        if (!response.HasStarted)
        {
            response.Clear();
            response.StatusCode = status;
        }
        else if (!_responseCompleted)
        {
            _context.Abort();
        }
    }
}

namespace EventCore.Cgi;

/// <summary>
/// Options of <see cref="CgiExecutor"/>, set with <c>services.AddCgi(o => ...)</c> (or bound from configuration with
/// <c>services.Configure&lt;CgiOptions&gt;(section)</c>).
/// </summary>
public sealed class CgiOptions
{
    /// <summary>
    /// How many scripts may run at once in this process. A request beyond it is answered 503 at once (no queue: a
    /// queue would hold client connections while giving no guarantee they are served sooner). Default 64.
    /// </summary>
    public int MaxProcesses { get; set; } = 64;

    /// <summary>
    /// The longest a script may run, from its start until its output ends and it has exited. Beyond it the script's
    /// whole process group is killed and the answer is 504 (or, when the response has already started, the response
    /// is aborted). <see cref="CgiScript.Timeout"/> overrides it per script. Default 30 s.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Extra environment variables for every script (e.g. <c>PHPRC</c>, <c>LANG</c>). Scripts get only the CGI
    /// variables, these, and <c>PATH</c> (the host's, unless set here); nothing else of the host's environment.
    /// </summary>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Whether the <c>Authorization</c> request header is passed as <c>HTTP_AUTHORIZATION</c>. RFC 3875 §4.1.18 says a
    /// server should not pass credentials to scripts; turn it on for scripts that do their own authentication.
    /// Default false. (<c>Proxy-Authorization</c> is never passed.)
    /// </summary>
    public bool PassAuthorizationHeader { get; set; }

    /// <summary>
    /// The scheduling nice value scripts run at, and their autogroup's (setpriority and /proc/PID/autogroup right
    /// after the spawn; -20 to 19, higher is lower priority). Scripts are batch work: at 10 a machine full of them
    /// still gives the server's threads most of the CPU, so static files and other requests keep their pace
    /// (measured: 8 Python scripts back to back on 2 cores took a pinned server's static rate down to a fifth at the
    /// server's own priority; 1.03 of it at 10). A value the process may not
    /// set (below its own, without the privilege) is logged and the script runs at the server's. Default 10;
    /// <see langword="null"/>: the server's own.
    /// </summary>
    public int? ScriptNiceValue { get; set; } = 10;
}

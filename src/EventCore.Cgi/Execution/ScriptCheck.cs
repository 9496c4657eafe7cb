using EventCore.Cgi.Interop;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EventCore.Cgi.Execution;

/// <summary>Whether a script can be run at all, before a process slot is taken: 404 when missing, 403 when it cannot be run.</summary>
internal static class ScriptCheck
{
    /// <summary>The fault status, or null when the script may run.</summary>
    public static int? Check(CgiScript script, ILogger logger)
    {
        var path = script.ScriptFileName;
        if (Directory.Exists(path))
        {
            CgiLog.Forbidden(logger, path, "it is a directory");
            return StatusCodes.Status403Forbidden;
        }

        if (!File.Exists(path))
        {
            CgiLog.NotFound(logger, path);
            return StatusCodes.Status404NotFound;
        }

        // access(2) asks the kernel with this process's ids (ACLs, read-only mounts and root's rules included).
        var executed = script.Interpreter is null;
        if (Libc.Access(path, executed ? Libc.XOk : Libc.ROk) is not Errno.None and var error)
        {
            CgiLog.Forbidden(logger, path, executed ? $"not executable: {error}" : $"not readable: {error}");
            return StatusCodes.Status403Forbidden;
        }

        return null;
    }
}

using EventCore.Cgi.Interop;
using Microsoft.Extensions.Logging;

namespace EventCore.Cgi;

/// <summary>The log lines of EventCore.Cgi (category <c>EventCore.Cgi</c>).</summary>
internal static partial class CgiLog
{
    /// <summary>The logger category of everything CGI.</summary>
    public const string Category = "EventCore.Cgi";

    [LoggerMessage(1, LogLevel.Debug, "CGI script {ScriptFileName} not found: 404.")]
    public static partial void NotFound(ILogger logger, string scriptFileName);

    [LoggerMessage(2, LogLevel.Warning, "CGI script {ScriptFileName} cannot be run ({Reason}): 403.")]
    public static partial void Forbidden(ILogger logger, string scriptFileName, string reason);

    [LoggerMessage(3, LogLevel.Warning, "CGI: {MaxProcesses} scripts are already running; {ScriptName} answered 503.")]
    public static partial void TooManyProcesses(ILogger logger, int maxProcesses, string scriptName);

    [LoggerMessage(4, LogLevel.Error, "CGI: could not start {Program} for {ScriptName}: {Error}; answered {Status}.")]
    public static partial void SpawnFailed(ILogger logger, string program, string scriptName, Errno error, int status);

    [LoggerMessage(5, LogLevel.Warning, "CGI script {ScriptName} sent no valid header block: {Reason}; it ended with {Exit}. Answered 502.")]
    public static partial void InvalidHead(ILogger logger, string scriptName, string reason, ChildExit exit);

    [LoggerMessage(6, LogLevel.Warning, "CGI script {ScriptName} ran past its timeout of {Timeout}: its process group was killed; {Outcome}.")]
    public static partial void TimedOut(ILogger logger, string scriptName, TimeSpan timeout, string outcome);

    [LoggerMessage(7, LogLevel.Debug, "CGI script {ScriptName}: the client went away; the script was killed.")]
    public static partial void ClientGone(ILogger logger, string scriptName);

    [LoggerMessage(8, LogLevel.Warning, "CGI script {ScriptName} stderr: {Line}")]
    public static partial void StandardError(ILogger logger, string scriptName, string line);

    [LoggerMessage(9, LogLevel.Warning, "CGI script {ScriptName} wrote more than {MaxLines} lines to stderr; the rest is not logged.")]
    public static partial void StandardErrorTruncated(ILogger logger, string scriptName, int maxLines);

    [LoggerMessage(10, LogLevel.Warning, "CGI script {ScriptName}: header field {Field} dropped.")]
    public static partial void FieldDropped(ILogger logger, string scriptName, string field);

    [LoggerMessage(11, LogLevel.Warning, "CGI script {ScriptName} declared Content-Length {ContentLength} but {Problem}; {Outcome}.")]
    public static partial void ContentLengthMismatch(ILogger logger, string scriptName, long contentLength, string problem, string outcome);

    [LoggerMessage(12, LogLevel.Information, "CGI script {ScriptName}: reading the request body failed ({Error}); the script was killed.")]
    public static partial void RequestBodyFailed(ILogger logger, string scriptName, string error);

    [LoggerMessage(13, LogLevel.Debug, "CGI script {ScriptName} (pid {Pid}) ended with {Exit}.")]
    public static partial void Ended(ILogger logger, string scriptName, int pid, ChildExit exit);

    [LoggerMessage(14, LogLevel.Debug, "CGI script {ScriptName}: local redirect to {Location}.")]
    public static partial void LocalRedirect(ILogger logger, string scriptName, string location);

    [LoggerMessage(15, LogLevel.Error, "CGI: more than {MaxRedirects} local redirects in one request (the last to {Location}): 500.")]
    public static partial void RedirectLoop(ILogger logger, int maxRedirects, string location);

    [LoggerMessage(16, LogLevel.Error, "CGI script {ScriptName}: unexpected failure; the script was killed.")]
    public static partial void Failed(ILogger logger, string scriptName, Exception exception);

    [LoggerMessage(18, LogLevel.Debug, "CGI: {Program} was busy (ETXTBSY: open for writing in a process about to exec); retry {Attempt}.")]
    public static partial void TextFileBusy(ILogger logger, string program, int attempt);

    [LoggerMessage(17, LogLevel.Debug, "CGI script {ScriptName} (pid {Pid}) started: {Program}.")]
    public static partial void Started(ILogger logger, string scriptName, int pid, string program);

    [LoggerMessage(19, LogLevel.Warning, "CGI script {ScriptName}: its nice value could not be set to {Nice} ({Errno}); it runs at the server's priority.")]
    public static partial void NiceRefused(ILogger logger, string scriptName, int nice, string errno);
}

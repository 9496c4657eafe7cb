using Microsoft.Extensions.Logging;

namespace EventCore.Server.Infrastructure;

/// <summary>Source-generated log messages (no boxing, no formatting when the level is off).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Debug, "Connection {ConnectionId} started.")]
    public static partial void ConnectionStart(ILogger logger, string connectionId);

    [LoggerMessage(2, LogLevel.Debug, "Connection {ConnectionId} stopped.")]
    public static partial void ConnectionStop(ILogger logger, string connectionId);

    [LoggerMessage(3, LogLevel.Debug, "Connection {ConnectionId} bad request: {Reason} ({StatusCode}).")]
    public static partial void BadRequest(ILogger logger, string connectionId, string reason, int statusCode);

    [LoggerMessage(4, LogLevel.Error, "Connection {ConnectionId}, request {TraceIdentifier}: unhandled exception in the application.")]
    public static partial void ApplicationError(ILogger logger, string connectionId, string traceIdentifier, Exception exception);

    [LoggerMessage(5, LogLevel.Debug, "Connection {ConnectionId} timed out ({Kind}).")]
    public static partial void Timeout(ILogger logger, string connectionId, string kind);

    [LoggerMessage(6, LogLevel.Error, "Connection {ConnectionId} failed.")]
    public static partial void ConnectionError(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(7, LogLevel.Information, "Listening on {Address}.")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(8, LogLevel.Warning, "Overriding the hosting addresses '{HostingUrls}': binding to the endpoints of the Urls option, EventCore:Endpoints and the Listen calls instead (unless the host sets PreferHostingUrls).")]
    public static partial void OverridingAddresses(ILogger logger, string hostingUrls);

    [LoggerMessage(9, LogLevel.Warning, "Host '{Host}' is not an IP address or localhost: binding to all interfaces.")]
    public static partial void BindingToAnyForHostName(ILogger logger, string host);

    [LoggerMessage(10, LogLevel.Debug, "Could not bind {EndPoint}: {Message}")]
    public static partial void OptionalBindFailed(ILogger logger, string endPoint, string message);

    [LoggerMessage(11, LogLevel.Information, "Shutdown: {Count} connection(s) still open after the grace period were aborted.")]
    public static partial void AbortedOnShutdown(ILogger logger, int count);

    [LoggerMessage(13, LogLevel.Trace, "Connection {ConnectionId} sending {Length} bytes of '{Path}' with the transport's sendfile.")]
    public static partial void SendFile(ILogger logger, string connectionId, long length, string path);

    [LoggerMessage(14, LogLevel.Debug, "Connection {ConnectionId}: the peer went away while a file was being sent ({Message}).")]
    public static partial void SendFileAborted(ILogger logger, string connectionId, string message);

    [LoggerMessage(12, LogLevel.Debug, "Connection {ConnectionId} refused: MaxConcurrentConnections reached.")]
    public static partial void ConnectionRefused(ILogger logger, string connectionId);

    [LoggerMessage(15, LogLevel.Information, "Shutdown: still accepting for the shutdown delay of {Delay} before the graceful stop.")]
    public static partial void ShutdownDelay(ILogger logger, TimeSpan delay);

    [LoggerMessage(16, LogLevel.Warning, "Shutdown: {Count} aborted connection(s) still running (an app ignoring RequestAborted?).")]
    public static partial void NotAllConnectionsAborted(ILogger logger, int count);

    [LoggerMessage(17, LogLevel.Debug, "Connection {ConnectionId}: the TLS handshake did not finish within the HandshakeTimeout of {Timeout}; closing.")]
    public static partial void TlsHandshakeTimedOut(ILogger logger, string connectionId, TimeSpan timeout);

    [LoggerMessage(18, LogLevel.Debug, "Connection {ConnectionId}: the TLS handshake failed ({Message}); closing. Plain HTTP sent to an HTTPS endpoint ends here.")]
    public static partial void TlsHandshakeFailed(ILogger logger, string connectionId, string message);

    [LoggerMessage(19, LogLevel.Error, "Connection {ConnectionId}: the TLS handshake failed unexpectedly; closing.")]
    public static partial void TlsHandshakeError(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(20, LogLevel.Trace, "Heartbeat tick: {Visited} connections visited in {Microseconds:F1} µs.")]
    public static partial void HeartbeatTick(ILogger logger, long visited, double microseconds);
}

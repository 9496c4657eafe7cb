using EventCore.Server.Http1;
using EventCore.Server.Infrastructure.Metrics;
using EventCore.Server.Tls;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting.Server;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// Starts one accepted connection on the thread pool: enforces MaxConcurrentConnections (closing or answering the
/// excess — over TLS on an HTTPS endpoint — see <see cref="EventCoreServerLimits.RejectedConnectionStatusCode"/>), runs the TLS handshake on an HTTPS
/// endpoint (after the connection limit, as in Kestrel; a failed one closes the connection), and hands the rest of the
/// connection's life to <see cref="Http1Connection.RunAsync"/>. Reports the queued, rejected and failed-handshake
/// connection instruments as Kestrel does; the dispatcher is garbage once the connection runs.
/// </summary>
internal sealed class ConnectionDispatcher<TContext>(ConnectionContext connection, ServiceContext service, ExchangePool<TContext> exchanges, TlsConnectionLayer? tlsLayer = null)
    : IThreadPoolWorkItem
    where TContext : notnull
{
    private bool _queuedCounted;

    /// <summary>Accept thread: hands the connection to the thread pool (it counts as queued until it starts).</summary>
    public void Queue()
    {
        _queuedCounted = service.Metrics.Connections.QueuedStart(connection.LocalEndPoint);
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    public void Execute()
    {
        var local = connection.LocalEndPoint;
        service.Metrics.Connections.QueuedStop(local, _queuedCounted);
        var measurement = service.Metrics.Connections.Start(local);
        var slots = default(ConnectionSlots);
        if (!slots.TryAcquireConnection(service))
        {
            _ = RejectAsync(measurement);
            return;
        }

        if (tlsLayer is null)
        {
            Run(slots, measurement, secure: null);
        }
        else
        {
            _ = HandshakeThenRunAsync(tlsLayer, slots, measurement);
        }
    }

    private async Task HandshakeThenRunAsync(TlsConnectionLayer layer, ConnectionSlots slots, ConnectionMetricsContext measurement)
    {
        if (await layer.HandshakeAsync(connection) is { } secure)
        {
            Run(slots, measurement, secure);
            return;
        }

        slots.Release(service, measurement.LocalEndPoint);
        service.Metrics.Connections.Stop(measurement, ConnectionEndReason.TlsHandshakeFailed, servedHttp: false); // before the client can see the close
        await connection.DisposeAsync();
    }

    private void Run(ConnectionSlots slots, ConnectionMetricsContext measurement, TlsConnection? secure)
    {
        var http1 = new Http1Connection<TContext>(connection, service, exchanges) { Secure = secure };
        http1.Slots = slots;
        if (connection is EpollConnection epoll)
        {
            epoll.WorkDescriber = http1; // names the request if its app code blocks the loop
        }

        _ = http1.RunAsync(measurement);
    }

    private async Task RejectAsync(ConnectionMetricsContext measurement)
    {
        ServerLog.ConnectionRefused(service.ConnectionLogger, connection.ConnectionId);
        service.Metrics.Connections.Rejected(connection.LocalEndPoint);
        try
        {
            if (service.Limits.RejectedConnectionStatusCode is not int statusCode)
            {
                connection.Abort(new ConnectionAbortedException("Too many connections."));
            }
            else if (tlsLayer is null)
            {
                await ConnectionLimitResponder.RespondAsync(connection, statusCode, service);
            }
            else
            {
                await RespondOverTlsAsync(tlsLayer, statusCode);
            }
        }
        catch (Exception ex) when (ex is ConnectionResetException or ConnectionAbortedException or IOException or OperationCanceledException)
        {
            // The refused client went away first: nothing to answer.
        }
        catch (Exception ex)
        {
            ServerLog.ConnectionError(service.ConnectionLogger, connection.ConnectionId, ex);
        }
        finally
        {
            await connection.DisposeAsync();
            service.Metrics.Connections.Stop(measurement, ConnectionEndReason.MaxConcurrentConnectionsExceeded, servedHttp: false);
        }
    }

    /// <summary>
    /// The refusal on an HTTPS endpoint: after a handshake, as plain HTTP's (a plain-text answer would read as a broken
    /// handshake). The handshake runs on the thread pool like any other and is bounded by HandshakeTimeout; a failed
    /// one just closes.
    /// </summary>
    private async Task RespondOverTlsAsync(TlsConnectionLayer layer, int statusCode)
    {
        if (await layer.HandshakeAsync(connection) is not { } secure)
        {
            return;
        }

        try
        {
            await ConnectionLimitResponder.RespondAsync(connection, statusCode, service);
        }
        finally
        {
            await secure.CloseAsync(); // the transport's pipes come back, for the caller's dispose
            await connection.Transport.Output.CompleteAsync();
            await connection.Transport.Input.CompleteAsync();
        }
    }
}

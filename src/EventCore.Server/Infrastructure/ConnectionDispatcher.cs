using EventCore.Server.Http1;
using EventCore.Server.Infrastructure.Metrics;
using EventCore.Server.Tls;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting.Server;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// Runs one accepted connection on the thread pool: enforces MaxConcurrentConnections (closing or answering the
/// excess, see <see cref="EventCoreServerLimits.RejectedConnectionStatusCode"/>), registers it with the connection
/// manager, serves it, then completes the pipes and disposes the transport connection. Reports the connection
/// instruments (queued, active, rejected, duration with its end reason) as Kestrel does. On an HTTPS endpoint the TLS
/// handshake comes first (after the connection limit, as in Kestrel); a failed one closes the connection.
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
        service.Metrics.Connections.QueuedStop(connection.LocalEndPoint, _queuedCounted);
        _ = RunAsync();
    }

    private async Task RunAsync()
    {
        var metrics = service.Metrics.Connections;
        var local = connection.LocalEndPoint;
        var measurement = metrics.Start(local);
        var slots = default(ConnectionSlots);
        if (!slots.TryAcquireConnection(service))
        {
            await RejectAsync();
            metrics.Stop(measurement, ConnectionEndReason.MaxConcurrentConnectionsExceeded, servedHttp: false);
            return;
        }

        TlsConnection? secure = null;
        if (tlsLayer is not null && (secure = await tlsLayer.HandshakeAsync(connection)) is null)
        {
            slots.Release(service, local);
            metrics.Stop(measurement, ConnectionEndReason.TlsHandshakeFailed, servedHttp: false); // before the client can see the close
            await connection.DisposeAsync();
            return;
        }

        var connections = service.Connections;
        var id = connections.NextId();
        var http1 = new Http1Connection<TContext>(connection, service, exchanges);
        http1.Slots = slots;
        http1.Tls = secure?.Feature;

        if (connection is EpollConnection epoll)
        {
            epoll.WorkDescriber = http1; // names the request if its app code blocks the loop
        }

        connections.Add(id, http1);
        ServerLog.ConnectionStart(service.ConnectionLogger, connection.ConnectionId);
        try
        {
            await http1.ProcessRequestsAsync();
            if (secure is not null)
            {
                await secure.CloseAsync();
            }

            await connection.Transport.Output.CompleteAsync();
            await connection.Transport.Input.CompleteAsync();
            await connection.DisposeAsync();
        }
        catch (Exception ex)
        {
            // Nobody awaits this task: log rather than leave an unobserved exception.
            http1.EndReason.Set(ConnectionEndReason.OtherError);
            ServerLog.ConnectionError(service.ConnectionLogger, connection.ConnectionId, ex);
        }
        finally
        {
            ServerLog.ConnectionStop(service.ConnectionLogger, connection.ConnectionId);
            http1.Slots.Release(service, local);
            var tls = measurement.DurationEnabled ? connection.Features.Get<ITlsHandshakeFeature>()?.Protocol : null;
            metrics.Stop(measurement, http1.EndReason.Value, servedHttp: true, tls);

            // Last: removing the last connection lets StopAsync return, by when everything above is reported.
            connections.Remove(id);
        }
    }

    private async Task RejectAsync()
    {
        ServerLog.ConnectionRefused(service.ConnectionLogger, connection.ConnectionId);
        service.Metrics.Connections.Rejected(connection.LocalEndPoint);
        try
        {
            // An HTTPS client would read a plain-text refusal as a broken handshake: it is closed instead.
            if (service.Limits.RejectedConnectionStatusCode is int statusCode && tlsLayer is null)
            {
                await ConnectionLimitResponder.RespondAsync(connection, statusCode, service);
            }
            else
            {
                connection.Abort(new ConnectionAbortedException("Too many connections."));
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
        }
    }
}

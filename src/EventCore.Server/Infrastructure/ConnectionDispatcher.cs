using EventCore.Server.Http1;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// Runs one accepted connection on the thread pool: enforces MaxConcurrentConnections, registers it with the
/// connection manager, serves it, then completes the pipes and disposes the transport connection.
/// </summary>
internal sealed class ConnectionDispatcher<TContext>(ConnectionContext connection, ServiceContext service, IHttpApplication<TContext> application)
    : IThreadPoolWorkItem
    where TContext : notnull
{
    public void Execute() => _ = RunAsync();

    private async Task RunAsync()
    {
        var connections = service.Connections;
        var id = connections.NextId();
        if (service.Limits.MaxConcurrentConnections is long max && connections.Count >= max)
        {
            ServerLog.ConnectionRefused(service.ConnectionLogger, connection.ConnectionId);
            connection.Abort(new ConnectionAbortedException("Too many connections."));
            await connection.DisposeAsync();
            return;
        }

        var http1 = new Http1Connection<TContext>(connection, service, application);
        if (connection is EpollConnection epoll)
        {
            epoll.WorkDescriber = http1; // names the request if its app code blocks the loop
        }

        connections.Add(id, http1);
        service.Metrics.ConnectionStart();
        ServerLog.ConnectionStart(service.ConnectionLogger, connection.ConnectionId);
        try
        {
            await http1.ProcessRequestsAsync();
            await connection.Transport.Output.CompleteAsync();
            await connection.Transport.Input.CompleteAsync();
            await connection.DisposeAsync();
        }
        catch (Exception ex)
        {
            // Nobody awaits this task: log rather than leave an unobserved exception.
            ServerLog.ConnectionError(service.ConnectionLogger, connection.ConnectionId, ex);
        }
        finally
        {
            ServerLog.ConnectionStop(service.ConnectionLogger, connection.ConnectionId);
            service.Metrics.ConnectionStop();
            connections.Remove(id);
        }
    }
}

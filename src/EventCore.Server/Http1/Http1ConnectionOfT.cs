using System.Runtime.CompilerServices;
using EventCore.Server.Infrastructure;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Abstractions;

namespace EventCore.Server.Http1;

/// <summary>
/// The connection typed by the app's context, so the host can keep its per-request context object on the
/// connection (<see cref="IHostContextContainer{TContext}"/>) and reuse it for every request.
/// </summary>
internal sealed class Http1Connection<TContext>(ConnectionContext connection, ServiceContext service, IHttpApplication<TContext> application)
    : Http1Connection(connection, service), IHostContextContainer<TContext>
    where TContext : notnull
{
    private readonly IHttpApplication<TContext> _application = application;

    public TContext? HostContext { get; set; }

    /// <summary>Kestrel's order: CreateContext → ProcessRequestAsync → response end (+OnStarting) → OnCompleted → DisposeContext.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected override async ValueTask ExecuteRequestAsync()
    {
        var metrics = Service.Metrics;
        var start = metrics.RequestStart();
        var context = _application.CreateContext(this);
        Exception? error = null;
        try
        {
            await _application.ProcessRequestAsync(context);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        error = await FinishRequestAsync(error);
        _application.DisposeContext(context, error);
        metrics.RequestStop(start);
    }
}

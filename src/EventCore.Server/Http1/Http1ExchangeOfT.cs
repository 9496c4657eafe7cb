using System.Runtime.CompilerServices;
using EventCore.Server.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Abstractions;

namespace EventCore.Server.Http1;

/// <summary>
/// The exchange typed by the app's context, so the host can keep its per-request context object on it
/// (<see cref="IHostContextContainer{TContext}"/>) and reuse it for every request the exchange serves.
/// </summary>
internal sealed class Http1Exchange<TContext>(ServiceContext service, IHttpApplication<TContext> application)
    : Http1Exchange(service), IHostContextContainer<TContext>
    where TContext : notnull
{
    private readonly IHttpApplication<TContext> _application = application;

    public TContext? HostContext { get; set; }

    /// <summary>Kestrel's order: CreateContext → ProcessRequestAsync → response end (+OnStarting) → OnCompleted → DisposeContext.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal override async ValueTask ExecuteRequestAsync()
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

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

    /// <summary>
    /// Kestrel's order: CreateContext → ProcessRequestAsync → response end (+OnStarting) → OnCompleted → DisposeContext.
    /// Not an async method: an app that completes synchronously, with a response that ends synchronously, costs no
    /// state machine. Like an async method, it gives its caller back the execution context it was called with:
    /// hosting makes the request's Activity and log scope current in CreateContext, and the request loop must not
    /// carry them (after a request that ended asynchronously the stopped Activity would still be current there, and
    /// the next request's would become its child; and every await of the loop would resume through
    /// ExecutionContext.Run).
    /// </summary>
    internal override ValueTask ExecuteRequestAsync()
    {
        var callerContext = ExecutionContext.Capture();
        var start = Service.Metrics.RequestStart();
        var context = _application.CreateContext(this);
        Task application;
        try
        {
            application = _application.ProcessRequestAsync(context);
        }
        catch (Exception ex)
        {
            application = Task.FromException(ex);
        }

        ValueTask pending;
        if (!application.IsCompletedSuccessfully)
        {
            pending = AwaitApplicationAsync(application, context, start);
        }
        else
        {
            var finish = FinishRequestAsync(error: null);
            if (finish.IsCompletedSuccessfully)
            {
                EndRequest(context, finish.Result, start); // completed: does not block
                pending = default;
            }
            else
            {
                pending = EndRequestAsync(finish, context, start);
            }
        }

        if (callerContext is not null)
        {
            ExecutionContext.Restore(callerContext);
        }

        return pending;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitApplicationAsync(Task application, TContext context, long start)
    {
        Exception? error = null;
        try
        {
            await application;
        }
        catch (Exception ex)
        {
            error = ex;
        }

        EndRequest(context, await FinishRequestAsync(error), start);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask EndRequestAsync(ValueTask<Exception?> finish, TContext context, long start)
        => EndRequest(context, await finish, start);

    private void EndRequest(TContext context, Exception? error, long start)
    {
        _application.DisposeContext(context, error);
        Service.Metrics.RequestStop(start);
    }
}

using System.Runtime.CompilerServices;

namespace EventCore.Cgi.Execution;

/// <summary>
/// Where the copy loops run. A server may resume an awaiting read of the request body or write of the response on
/// its own event-loop thread (EventCore's inline scheduling does). From there the loop would go on copying, with
/// syscalls on the pipes, for as long as data flows both ways (milliseconds for large bodies) while the server's
/// other connections wait. So after a server operation that completed asynchronously the copy continues on the
/// thread pool; one that completed at once costs nothing.
/// </summary>
internal sealed partial class CgiRun
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<T> LeaveServerThread<T>(ValueTask<T> operation)
    {
        if (operation.IsCompleted)
        {
            return operation.Result;
        }

        var result = await operation;
        await LeaveServerThread();
        return result;
    }

    /// <summary>Continues on the thread pool (a queued work item: the server's thread is let go at once).</summary>
    private static YieldAwaitable LeaveServerThread() => Task.Yield();
}

namespace EventCore.Server.Http1;

/// <summary>
/// RequestAborted's source. It is the connection's, not the exchange's: the transport's ConnectionClosed callback
/// cancels it from another thread, and must never reach a pooled exchange that serves another connection by then.
/// The source is created only when the app asks for the token and reused across requests while it was never
/// canceled (TryReset), so a request that never looks at it costs nothing. The connection's monitor (lock (this): no lock object per connection) guards it against that callback.
/// </summary>
internal abstract partial class Http1Connection
{
    private CancellationTokenSource? _abortedSource;
    private volatile bool _connectionClosed;

    /// <summary>Whether the transport reported the connection gone (FIN, reset or abort).</summary>
    internal bool IsConnectionClosed => _connectionClosed;

    /// <summary>The current request's RequestAborted token (already canceled once the connection is gone).</summary>
    internal CancellationToken RequestAborted
    {
        get
        {
            lock (this)
            {
                return _connectionClosed || _aborted ? new CancellationToken(true) : (_abortedSource ??= new()).Token;
            }
        }
    }

    /// <summary>The app's <c>HttpContext.Abort()</c>: the connection is dropped and RequestAborted fires.</summary>
    internal void AbortByApplication()
    {
        EndReason.Set(Infrastructure.Metrics.ConnectionEndReason.AbortedByApp);
        Abort("The request was aborted by the application.");
        CancelRequestAborted();
    }

    /// <summary>Transport thread: the peer is gone (FIN/RST) or the connection was aborted.</summary>
    private void OnConnectionClosed()
    {
        lock (this)
        {
            _connectionClosed = true;
        }

        CancelRequestAborted();
    }

    private void CancelRequestAborted()
    {
        CancellationTokenSource? source;
        lock (this)
        {
            source = _abortedSource;
        }

        // Outside the lock: cancellation runs the app's callbacks synchronously.
        try
        {
            source?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Raced with the end of the request; nothing left to notify.
        }
    }

    /// <summary>Per request (request thread).</summary>
    private void ResetAbort()
    {
        if (_abortedSource is null)
        {
            return; // Only this thread creates the source: nothing to reset, no lock needed.
        }

        lock (this)
        {
            if (_abortedSource is { } source && !source.TryReset())
            {
                source.Dispose();
                _abortedSource = null;
            }
        }
    }
}

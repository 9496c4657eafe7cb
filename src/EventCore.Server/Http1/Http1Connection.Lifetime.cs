using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Http1;

/// <summary>
/// RequestAborted. The token source is created only when the app asks for the token and reused across requests
/// while it was never canceled (TryReset), so a request that never looks at it costs nothing. The lock guards the
/// source against the transport's ConnectionClosed callback, which runs on another thread.
/// </summary>
internal abstract partial class Http1Connection : IHttpRequestLifetimeFeature
{
    private readonly Lock _abortLock = new();
    private CancellationTokenSource? _abortedSource;
    private CancellationToken? _requestAbortedOverride;
    private volatile bool _connectionClosed;

    CancellationToken IHttpRequestLifetimeFeature.RequestAborted
    {
        get
        {
            if (_requestAbortedOverride is { } token)
            {
                return token;
            }

            lock (_abortLock)
            {
                return _connectionClosed ? new CancellationToken(true) : (_abortedSource ??= new()).Token;
            }
        }

        set => _requestAbortedOverride = value;
    }

    void IHttpRequestLifetimeFeature.Abort()
    {
        EndReason.Set(Infrastructure.Metrics.ConnectionEndReason.AbortedByApp);
        Abort("The request was aborted by the application.");
        CancelRequestAborted();
    }

    /// <summary>Transport thread: the peer is gone (FIN/RST) or the connection was aborted.</summary>
    private void OnConnectionClosed()
    {
        lock (_abortLock)
        {
            _connectionClosed = true;
        }

        CancelRequestAborted();
    }

    private void CancelRequestAborted()
    {
        CancellationTokenSource? source;
        lock (_abortLock)
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

    private void ResetAbort()
    {
        _requestAbortedOverride = null;
        if (_abortedSource is null)
        {
            return; // Only this thread creates the source: nothing to reset, no lock needed.
        }

        lock (_abortLock)
        {
            if (_abortedSource is { } source && !source.TryReset())
            {
                source.Dispose();
                _abortedSource = null;
            }
        }
    }
}

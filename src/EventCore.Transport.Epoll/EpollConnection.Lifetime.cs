using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll;

/// <summary>Abort, graceful dispose, the ConnectionClosed token and the one close of the fd.</summary>
internal sealed partial class EpollConnection
{
    private static readonly Action<object?> s_abort = static s => ((EpollConnection)s!).AbortOnLoop(null);
    private static readonly Action<object?> s_dispose = static s => ((EpollConnection)s!).DisposeOnLoop();

    /// <summary>ConnectionClosed's source, created when someone asks for the token (the server uses <see cref="OnClosed"/>).</summary>
    private CancellationTokenSource? _closedTokenSource;
    private Action<object?>? _closedCallback;
    private object? _closedCallbackState;

    /// <summary>1 once the close was signalled (thread-pool side of <see cref="FireConnectionClosed"/>).</summary>
    private int _closedSignalled;

    /// <summary>What DisposeAsync awaits; made by DisposeAsync (most connections never need it before the fd is closed).</summary>
    private TaskCompletionSource? _closedCompletion;

    /// <summary>1 once the fd is closed: <see cref="_closed"/> as other threads (DisposeAsync) may read it.</summary>
    private int _fdClosed;

    private ConnectionAbortedException? _abortReason;
    private bool _closedFired;
    private bool _closed;
    private bool _discardInputOnClose;

    /// <summary>Closes the connection with RST (SO_LINGER 0) and completes both pipes with <paramref name="abortReason"/>. Any thread.</summary>
    public override void Abort(ConnectionAbortedException abortReason)
    {
        Interlocked.CompareExchange(ref _abortReason, abortReason, null);
        _loop.Schedule(s_abort, this);
    }

    /// <summary>
    /// Graceful close: completes the application's ends of the pipes, lets the send side write what is left and
    /// send FIN, then the fd is closed. Any thread.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        _input.Reader.Complete();
        _output.Writer.Complete();
        _loop.Schedule(s_dispose, this);
        await WhenClosed();
        await base.DisposeAsync();
    }

    /// <summary>Completes once the fd is closed. Any thread; a full fence on each side, so one sees the other.</summary>
    private Task WhenClosed()
    {
        if (Volatile.Read(ref _fdClosed) == 1)
        {
            return Task.CompletedTask;
        }
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource completion = Interlocked.CompareExchange(ref _closedCompletion, created, null) ?? created;
        if (Volatile.Read(ref _fdClosed) == 1)
        {
            completion.TrySetResult();
        }
        return completion.Task;
    }

    public void OnLoopStopping() => AbortOnLoop(new ConnectionAbortedException("The epoll transport is stopping."));

    private void AbortOnLoop(ConnectionAbortedException? reason)
    {
        _loop.Serving(this);
        if (_closed)
        {
            return;
        }
        reason ??= _abortReason ?? new ConnectionAbortedException();
        bool woke = WakeFromPark(); // a parked reader learns of the abort from its pipe
        Interop.SetLingerZero(_fd);
        EndReceive(reason);
        EndSend(reason);
        TryClose();
        if (woke)
        {
            ResumeParked();
        }
    }

    private void DisposeOnLoop()
    {
        _loop.Serving(this);
        // Input: the application completed its reader, so stop reading. Output: the send side ends by itself
        // once the pipe, whose writer is now complete, is written out.
        _discardInputOnClose = !_receiveDone;
        EndReceive(null);
        UpdateInterest();
    }

    /// <summary>Closes the fd once both sides are done. Loop thread only.</summary>
    private void TryClose()
    {
        if (_closed || !_receiveDone || !_sendDone)
        {
            return;
        }
        _closed = true;
        _loop.Unregister(_fd, _token);
        if (_discardInputOnClose && _abortReason is null)
        {
            DiscardUnreadInput();
        }
        Interop.Close(_fd);
        _loop.Metrics.ConnectionClosed();
        FireConnectionClosed();
        Interlocked.Exchange(ref _fdClosed, 1);
        Volatile.Read(ref _closedCompletion)?.TrySetResult();
    }

    /// <summary>
    /// Closing a socket with unread bytes in its receive queue sends RST instead of FIN, and an RST can destroy
    /// the response still in flight to the peer: read (and drop) what is there, up to 64 KB.
    /// </summary>
    private void DiscardUnreadInput()
    {
        Span<byte> scratch = stackalloc byte[4096];
        for (int i = 0; i < 16 && Interop.Recv(_fd, scratch) > 0; i++)
        {
        }
    }

    /// <summary>Signals ConnectionClosed once, never inline on the loop (its callbacks are the application's).</summary>
    private void FireConnectionClosed()
    {
        if (_closedFired)
        {
            return;
        }
        _closedFired = true;
        ThreadPool.UnsafeQueueUserWorkItem(static c => c.CancelConnectionClosed(), this, preferLocal: false);
    }

    /// <summary>
    /// The connection is gone (FIN, reset or abort): cancels the token if anyone took it, then runs the layer
    /// above's callback. Thread pool. A token or callback asked for after this point is signalled at once.
    /// </summary>
    private void CancelConnectionClosed()
    {
        Interlocked.Exchange(ref _closedSignalled, 1);
        try
        {
            Volatile.Read(ref _closedTokenSource)?.Cancel();
        }
        catch (AggregateException ex)
        {
            Logger.LogError(ex, "A ConnectionClosed callback of connection {ConnectionId} failed", ConnectionId);
        }
        TakeClosedCallback()?.Invoke(_closedCallbackState);
    }

    /// <summary>
    /// ConnectionClosed without a CancellationTokenSource per connection: <paramref name="callback"/> runs once,
    /// on the thread pool, when the connection is gone — or at once, on this thread, if it already is. One
    /// callback per connection. Any thread.
    /// </summary>
    internal void OnClosed(Action<object?> callback, object? state)
    {
        _closedCallbackState = state;
        Interlocked.Exchange(ref _closedCallback, callback); // a full fence: the signal's side sees it or we see the signal
        if (Volatile.Read(ref _closedSignalled) == 1)
        {
            TakeClosedCallback()?.Invoke(state);
        }
    }

    /// <summary>The registered callback, exactly once between the signal and a late registration.</summary>
    private Action<object?>? TakeClosedCallback() => Interlocked.Exchange(ref _closedCallback, null);

    /// <summary>The token's source, made on first use (and canceled at once if the connection is already gone).</summary>
    private CancellationToken GetClosedToken()
    {
        if (Volatile.Read(ref _closedTokenSource) is { } existing)
        {
            return existing.Token;
        }
        var created = new CancellationTokenSource();
        CancellationTokenSource source = Interlocked.CompareExchange(ref _closedTokenSource, created, null) ?? created;
        if (source == created && Volatile.Read(ref _closedSignalled) == 1)
        {
            created.Cancel(); // no callback can be registered on it yet
        }
        return source.Token;
    }
}

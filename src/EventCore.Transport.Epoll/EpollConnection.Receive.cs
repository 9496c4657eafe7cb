using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll;

/// <summary>The receive side: recv straight into input pipe memory until drained, one flush per batch. Loop thread only.</summary>
internal sealed partial class EpollConnection
{
    /// <summary>Bytes read per turn before yielding to the loop's other connections.</summary>
    private const long ReceiveBudget = 256 * 1024;

    private static readonly Action<object?> s_continueReceive = static s => ((EpollConnection)s!).ReceiveAndArm();

    /// <summary>OnFlushCompleted as a delegate: made when first needed, dropped with the pipes (EpollConnection.Park.cs).</summary>
    private Action? _onFlushCompleted;
    private ValueTaskAwaiter<FlushResult> _pendingFlush;
    private bool _wantRead;
    private bool _flushPending;
    private bool _receiveDone;

    /// <summary>A FIN, hang-up or error was signalled: a short read no longer proves the socket is drained.</summary>
    private bool _peerHungUp;

    private enum ReceiveOutcome
    {
        Drained,
        Budget,
        Fin,
        Error,
    }

    private void ReceiveAndArm()
    {
        _loop.Serving(this);
        Receive();
        UpdateInterest();
    }

    private void Receive()
    {
        if (_receiveDone || _flushPending)
        {
            return;
        }
        bool woke = WakeFromPark(); // a parked reader is resumed once what arrived is in the pipe
        ReceiveAndFlush();
        if (woke)
        {
            ResumeParked();
        }
    }

    private void ReceiveAndFlush()
    {
        ReceiveOutcome outcome = ReceiveBatch(out long total, out Errno errno);
        if (total > 0)
        {
            _loop.Metrics.BytesRead.Add(total);
            _releaseWhenAwaited = 0; // a request is arriving: an idle connection's pending release is stale
        }
        switch (outcome)
        {
            case ReceiveOutcome.Fin:
                EndReceive(null);
                break;
            case ReceiveOutcome.Error:
                EndReceive(ReceiveError(errno));
                break;
            case ReceiveOutcome.Drained when total == 0:
                _wantRead = true;
                break;
            default:
                FlushInput(outcome == ReceiveOutcome.Budget);
                break;
        }
    }

    /// <summary>
    /// recv until EAGAIN, a short read (for a stream socket that means drained: any later data raises a new
    /// edge, and a re-armed one-shot registration reports data already there), FIN, error or the budget.
    /// </summary>
    private ReceiveOutcome ReceiveBatch(out long total, out Errno errno)
    {
        PipeWriter writer = _input.Writer;
        total = 0;
        errno = Errno.None;
        while (true)
        {
            Memory<byte> memory = writer.GetMemory();
            long read = Interop.Recv(_fd, memory.Span);
            if (read > 0)
            {
                writer.Advance((int)read);
                total += read;
                if (read < memory.Length && !_peerHungUp)
                {
                    return ReceiveOutcome.Drained;
                }
                if (total >= ReceiveBudget)
                {
                    return ReceiveOutcome.Budget;
                }
                continue;
            }
            if (read == 0)
            {
                return ReceiveOutcome.Fin;
            }
            errno = Interop.LastErrno;
            return errno == Errno.EAGAIN ? ReceiveOutcome.Drained : ReceiveOutcome.Error;
        }
    }

    /// <summary>Flushes the batch; if the application is behind (pause threshold), reading stops until it catches up.</summary>
    private void FlushInput(bool more)
    {
        // The awaiter is consumed exactly once: GetResult here or in OnFlushCompleted.
#pragma warning disable CA2012
        ValueTaskAwaiter<FlushResult> flush = _input.Writer.FlushAsync().GetAwaiter();
#pragma warning restore CA2012
        if (!flush.IsCompleted)
        {
            _flushPending = true;
            _pendingFlush = flush;
            flush.UnsafeOnCompleted(_onFlushCompleted ??= OnFlushCompleted);
            return;
        }
        AfterFlush(flush.GetResult(), more);
    }

    private void AfterFlush(FlushResult result, bool more)
    {
        if (result.IsCompleted)
        {
            EndReceive(null); // the application completed its input: nobody reads any more
        }
        else if (more)
        {
            _loop.Schedule(s_continueReceive, this);
        }
        else
        {
            _wantRead = true;
        }
    }

    /// <summary>The application caught up (runs on the loop: it is the input pipe's writer scheduler).</summary>
    private void OnFlushCompleted()
    {
        _loop.Serving(this);
        _flushPending = false;
        if (_receiveDone)
        {
            return;
        }
        FlushResult result = _pendingFlush.GetResult();
        _pendingFlush = default;
        if (result.IsCompleted)
        {
            EndReceive(null);
        }
        else
        {
            Receive(); // edges that came while paused were ignored: read until drained
        }
        UpdateInterest();
    }

    private void EndReceive(Exception? error)
    {
        if (_receiveDone)
        {
            return;
        }
        _receiveDone = true;
        _wantRead = false;
        _input.Writer.Complete(error);
        FireConnectionClosed();
        TryClose();
    }

    private ConnectionResetException ReceiveError(Errno errno)
    {
        if (errno is Errno.ECONNRESET or Errno.ETIMEDOUT or Errno.EPIPE)
        {
            Logger.LogDebug("Connection {ConnectionId} reset by peer: {Errno}", ConnectionId, errno);
        }
        else
        {
            Logger.LogWarning("recv failed on connection {ConnectionId}: {Errno}", ConnectionId, errno);
        }
        return new ConnectionResetException($"recv failed: {errno}", new IOException(errno.ToString()));
    }
}

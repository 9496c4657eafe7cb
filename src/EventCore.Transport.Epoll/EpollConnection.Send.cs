using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll;

/// <summary>
/// The send side: the output pipe's reader runs on the loop; each read result goes out with writev, all segments
/// in one call; a full socket buffer arms EPOLLOUT and the rest goes when writable. Loop thread only.
/// </summary>
internal sealed partial class EpollConnection
{
    /// <summary>Bytes sent per turn before yielding to the loop's other connections (an inline app can refill the pipe forever).</summary>
    private const long SendBudget = 1024 * 1024;

    private static readonly Action<object?> s_continueSend = static s =>
    {
        var connection = (EpollConnection)s!;
        connection._loop.Serving(connection);
        connection.ReadOutput();
        connection.UpdateInterest();
    };

    /// <summary>OnReadCompleted as a delegate: made when first needed, dropped with the pipes (EpollConnection.Park.cs).</summary>
    private Action? _onReadCompleted;
    private ValueTaskAwaiter<ReadResult> _pendingRead;
    private bool _readPending;
    private bool _wantWrite;
    private bool _sendDone;
    private long _sentThisTurn;

    /// <summary>Reads the output pipe and sends until it is empty (then waits for the app) or the socket is full.</summary>
    private void ReadOutput()
    {
        _sentThisTurn = 0;
        while (!_sendDone)
        {
            if (_sentThisTurn >= SendBudget)
            {
                _loop.Schedule(s_continueSend, this); // nothing is pending meanwhile: no read, no EPOLLOUT wait
                return;
            }
            // The awaiter is consumed exactly once: GetResult here or in OnReadCompleted.
#pragma warning disable CA2012
            ValueTaskAwaiter<ReadResult> read = _output.Reader.ReadAsync().GetAwaiter();
#pragma warning restore CA2012
            if (!read.IsCompleted)
            {
                _readPending = true;
                _pendingRead = read;
                read.UnsafeOnCompleted(_onReadCompleted ??= OnReadCompleted);
                if (Volatile.Read(ref _sendFile) is { Started: false })
                {
                    _output.Reader.CancelPendingRead(); // a send-file is waiting for the pipe to drain: it has
                }
                return;
            }
            if (!Send(read.GetResult()))
            {
                return;
            }
        }
    }

    /// <summary>The application flushed (runs on the loop: it is the output pipe's reader scheduler).</summary>
    private void OnReadCompleted()
    {
        _loop.Serving(this);
        _readPending = false;
        if (_sendDone)
        {
            return; // aborted meanwhile: the reader is already completed
        }
        ReadResult result = _pendingRead.GetResult();
        _pendingRead = default;
        if (_parkState == ParkState.Releasing && TryFinishRelease(result))
        {
            return; // the pipes are back in the loop's pool
        }
        if (Send(result))
        {
            ReadOutput();
        }
        UpdateInterest();
    }

    /// <summary>Socket writable again: finish the send-file or the buffered bytes.</summary>
    private void ResumeSend()
    {
        if (_sendFile is { Started: true } operation && !ContinueSendFile(operation))
        {
            return;
        }
        ReadOutput();
    }

    /// <summary>Writes one read result; true when the caller should read the pipe again.</summary>
    private bool Send(ReadResult result)
    {
        ReadOnlySequence<byte> buffer = result.Buffer;
        long total = 0;
        Errno errno = Errno.None;
        while (!buffer.IsEmpty)
        {
            long written = Interop.Writev(_fd, buffer, _loop.WritePins, out long offered);
            if (written < 0)
            {
                errno = Interop.LastErrno;
                break;
            }
            total += written;
            buffer = buffer.Slice(written);
            if (written < offered)
            {
                break; // the socket buffer is full
            }
        }
        if (total > 0)
        {
            _loop.Metrics.BytesWritten.Add(total);
            _sentThisTurn += total;
        }
        if (errno is not Errno.None and not Errno.EAGAIN)
        {
            EndSend(SendError(errno));
            return false;
        }
        _output.Reader.AdvanceTo(buffer.Start);
        if (!buffer.IsEmpty)
        {
            _wantWrite = true;
            return false;
        }
        if (Volatile.Read(ref _sendFile) is { Started: false } operation)
        {
            return StartSendFile(operation, result.IsCompleted);
        }
        if (result.IsCompleted)
        {
            EndSend(null);
            return false;
        }
        return true;
    }

    /// <summary>
    /// Ends the send side. Normally (the application completed its output and everything was written) this
    /// sends FIN with shutdown(SHUT_WR); after an error or abort it does not.
    /// </summary>
    private void EndSend(Exception? error)
    {
        if (_sendDone)
        {
            return;
        }
        _sendDone = true;
        _wantWrite = false;
        if (error is null)
        {
            Interop.Shutdown(_fd, Interop.ShutWrite);
        }
        _output.Reader.Complete(error);
        if (_sendFile is { } operation)
        {
            CompleteSendFile(operation, error ?? new InvalidOperationException("The output was completed during a send-file."));
        }
        TryClose();
    }

    private Exception SendError(Errno errno)
    {
        if (errno is Errno.ECONNRESET or Errno.EPIPE or Errno.ETIMEDOUT)
        {
            Logger.LogDebug("Connection {ConnectionId} reset by peer while sending: {Errno}", ConnectionId, errno);
            FireConnectionClosed();
            return new ConnectionResetException($"send failed: {errno}", new IOException(errno.ToString()));
        }
        Logger.LogWarning("send failed on connection {ConnectionId}: {Errno}", ConnectionId, errno);
        return new IOException($"send failed: {errno}");
    }
}

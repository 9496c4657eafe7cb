using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Win32.SafeHandles;

namespace EventCore.Transport.Epoll;

/// <summary>
/// sendfile(2) through the send state machine: the request is handed to the loop, which first writes every
/// byte already flushed to the output pipe, then sends the file region, waiting for EPOLLOUT on EAGAIN.
/// </summary>
internal sealed partial class EpollConnection
{
    /// <summary>Largest count passed to one sendfile call (Linux caps a call at 0x7ffff000 bytes anyway).</summary>
    private const long MaxSendFileChunk = 1L << 30;

    private static readonly Action<object?> s_sendFileRequested = static s => ((EpollConnection)s!).OnSendFileRequested();

    /// <summary>The pending send-file: set by the application (one at a time), completed and cleared on the loop.</summary>
    private SendFileOperation? _sendFile;

    public ValueTask SendFileAsync(SafeFileHandle file, long offset, long count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }
        if (count == 0)
        {
            return ValueTask.CompletedTask;
        }
        var operation = new SendFileOperation(file, offset, count, cancellationToken);
        if (Interlocked.CompareExchange(ref _sendFile, operation, null) is not null)
        {
            operation.Complete(null);
            throw new InvalidOperationException("A send-file is already in progress on this connection.");
        }
        operation.OnCancel(static s =>
        {
            var op = (SendFileOperation)s!;
            op.Connection!._loop.Schedule(static x => ((SendFileOperation)x!).Connection!.CancelSendFile((SendFileOperation)x!), op);
        }, this);
        _loop.Schedule(s_sendFileRequested, this);
        return new ValueTask(operation.Task);
    }

    /// <summary>Loop thread: wake the send side if it is parked on an empty pipe.</summary>
    private void OnSendFileRequested()
    {
        _loop.Serving(this);
        if (_sendFile is not { Started: false } operation)
        {
            return;
        }
        if (_sendDone)
        {
            CompleteSendFile(operation, new ConnectionAbortedException("The connection is closed."));
        }
        else if (_readPending)
        {
            // The read returns (canceled) on the loop; Send then finds the request after writing what it holds.
            _output.Reader.CancelPendingRead();
        }
    }

    /// <summary>Loop thread, output buffer fully written: drain what the pipe still holds, then start sending the file.</summary>
    private bool StartSendFile(SendFileOperation operation, bool outputCompleted)
    {
        if (_output.Reader.TryRead(out ReadResult more))
        {
            if (!more.Buffer.IsEmpty || more.IsCompleted)
            {
                return Send(more); // bytes flushed after the last read go first; Send comes back here
            }
            _output.Reader.AdvanceTo(more.Buffer.End);
        }
        if (outputCompleted)
        {
            EndSend(null);
            return false;
        }
        operation.Started = true;
        return ContinueSendFile(operation);
    }

    /// <summary>Loop thread: sendfile until done (true: read the pipe again) or EAGAIN / error (false).</summary>
    private bool ContinueSendFile(SendFileOperation operation)
    {
        long total = 0;
        try
        {
            while (operation.Remaining > 0)
            {
                long sent = Interop.Sendfile(_fd, operation.FileFd, ref operation.Offset, Math.Min(operation.Remaining, MaxSendFileChunk));
                if (sent > 0)
                {
                    operation.Remaining -= sent;
                    total += sent;
                    continue;
                }
                if (sent == 0)
                {
                    CompleteSendFile(operation, new EndOfStreamException("The file ended before the requested bytes were sent."));
                    return true;
                }
                return SendFileFailed(operation, Interop.LastErrno);
            }
        }
        finally
        {
            _loop.Metrics.BytesWritten.Add(total);
        }
        CompleteSendFile(operation, null);
        return true;
    }

    private bool SendFileFailed(SendFileOperation operation, Errno errno)
    {
        if (errno == Errno.EAGAIN)
        {
            _wantWrite = true;
            return false;
        }
        Exception error = SendError(errno);
        CompleteSendFile(operation, error as IOException ?? new IOException(error.Message, error));
        EndSend(error);
        return false;
    }

    /// <summary>Loop thread: the token fired.</summary>
    private void CancelSendFile(SendFileOperation operation)
    {
        _loop.Serving(this);
        if (!ReferenceEquals(_sendFile, operation))
        {
            return;
        }
        bool waitingToWrite = operation.Started && _wantWrite;
        CompleteSendFile(operation, new OperationCanceledException(operation.CancellationToken));
        if (waitingToWrite && !_sendDone)
        {
            _wantWrite = false;
            ReadOutput();
        }
        UpdateInterest();
    }

    private void CompleteSendFile(SendFileOperation operation, Exception? error)
    {
        if (Interlocked.CompareExchange(ref _sendFile, null, operation) == operation)
        {
            operation.Complete(error);
        }
    }
}

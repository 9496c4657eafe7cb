using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using EventCore.Server.Infrastructure;
using EventCore.Server.Infrastructure.Metrics;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Win32.SafeHandles;

namespace EventCore.Server.Http1;

/// <summary>
/// Ending a request the way Kestrel does: an app exception before the response started becomes a 500 (or the
/// BadHttpRequestException's status) with Content-Length: 0; after it started, the response is cut short: what was
/// written is sent, the response end (last chunk) is not, and the connection closes, so the client sees a truncated
/// body rather than a complete-looking one. Then OnCompleted callbacks run.
/// </summary>
internal abstract partial class Http1Exchange
{
    /// <summary>Files up to this size are copied into the output instead of sent with sendfile(2).</summary>
    internal const int SmallFileLimit = 16 * 1024;

    private const int CopyChunkSize = 64 * 1024;

    private ArrayBufferWriter<byte>? _preStartBuffer;
    private bool _responseBroken;

    /// <summary>Body bytes the app wrote before the head could be written (OnStarting callbacks still pending).</summary>
    private ArrayBufferWriter<byte> PreStartBuffer => _preStartBuffer ??= new ArrayBufferWriter<byte>();

    /// <summary>
    /// After the app returned (or threw): finish the response and run OnCompleted. Returns the error to report. The
    /// common case — the app succeeded, the response ends without an await, no OnCompleted callback — costs no state
    /// machine.
    /// </summary>
    protected ValueTask<Exception?> FinishRequestAsync(Exception? error)
    {
        if (error is not null || _onCompleted.Count > 0 || !CanCompleteResponseSynchronously)
        {
            return FinishRequestSlowAsync(error, completionError: null);
        }

        try
        {
            CompleteResponse();
            return default;
        }
        catch (Exception ex)
        {
            return FinishRequestSlowAsync(null, ex);
        }
    }

    /// <summary><see cref="FinishRequestAsync"/> in full; <paramref name="completionError"/>: ending the response threw already.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Exception?> FinishRequestSlowAsync(Exception? error, Exception? completionError)
    {
        if (error is not null)
        {
            OnApplicationException(error);
        }

        if (completionError is null)
        {
            try
            {
                await CompleteResponseAsync();
            }
            catch (Exception ex)
            {
                completionError = ex;
            }
        }

        if (completionError is not null)
        {
            error ??= completionError;
            OnApplicationException(completionError);
            await CompleteResponseAsync();
        }

        if (_onCompleted.Count > 0)
        {
            // The client should not wait for our after-response work.
            await FlushPendingAsync();
            await FireOnCompletedAsync();
        }

        return error;
    }

    /// <summary>Whether ending the response needs no await: it started already, or has no OnStarting callback to run first.</summary>
    private bool CanCompleteResponseSynchronously => _hasStarted || _onStarting.Count == 0;

    /// <summary>Writes whatever ends the response: the head if not yet written, the last chunk; checks Content-Length.</summary>
    private ValueTask CompleteResponseAsync()
    {
        if (CanCompleteResponseSynchronously || ResponseEnded)
        {
            CompleteResponse();
            return default;
        }

        return StartThenCompleteResponseAsync();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask StartThenCompleteResponseAsync()
    {
        PrepareUnstartedResponseEnd();
        await EnsureStartedAsync(); // the OnStarting callbacks, then the head
        FlushPreStartBuffer();
        CompleteResponse();
    }

    /// <summary>The response is complete, or can no longer be completed.</summary>
    private bool ResponseEnded => _responseCompleted || Owner.IsAborted || _responseBroken;

    /// <summary><see cref="CompleteResponseAsync"/> once no OnStarting callback is left to await.</summary>
    private void CompleteResponse()
    {
        if (ResponseEnded)
        {
            return;
        }

        if (!_hasStarted)
        {
            PrepareUnstartedResponseEnd();
            CommitHead();
            FlushPreStartBuffer();
        }

        if (_framer.Framing == ResponseFraming.Chunked)
        {
            WriteChunkedEnd();
            _pendingFlush = true;
        }
        else if (_framer.Framing == ResponseFraming.ContentLength && _framer.BytesWritten < _framer.DeclaredLength)
        {
            ReportApplicationError(new InvalidOperationException(
                $"Response Content-Length mismatch: too few bytes written ({_framer.BytesWritten} of {_framer.DeclaredLength})."));
            Owner.EndReason.Set(ConnectionEndReason.ResponseContentLengthMismatch);
            BreakResponse();
        }

        _responseCompleted = true;
        _responseTrailers?.SetReadOnly(true);
    }

    /// <summary>The app returned without starting the response: the whole body is known now.</summary>
    private void PrepareUnstartedResponseEnd()
    {
        var buffered = _preStartBuffer?.WrittenCount ?? 0;
        var bodyAllowed = !HttpMethods.IsHead(_method) && _statusCode is >= 200 and not 204 and not 304;
        // Trailers need chunked framing, which a Content-Length set here would rule out.
        if (!bodyAllowed || _upgraded || (_responseHeaders.Known & KnownResponseHeaders.TransferEncoding) != 0
            || (_responseHeaders.ContentLength is null && HasResponseTrailers))
        {
            return;
        }

        if (_responseHeaders.ContentLength is null)
        {
            _responseHeaders.ContentLength = buffered;
        }
        else if (_responseHeaders.ContentLength > buffered && buffered == 0)
        {
            ReportApplicationError(new InvalidOperationException(
                $"Response Content-Length mismatch: too few bytes written (0 of {_responseHeaders.ContentLength})."));
            SetErrorResponse(StatusCodes.Status500InternalServerError);
        }
    }

    private void OnApplicationException(Exception error)
    {
        var statusCode = StatusCodes.Status500InternalServerError;
        if (error is BadHttpRequestException badRequest)
        {
            statusCode = badRequest.StatusCode;
            _keepAlive = false;
            ServerLog.BadRequest(_service.ConnectionLogger, ConnectionId, badRequest.Message, statusCode);
        }
        else
        {
            ReportApplicationError(error);
        }

        if (!_hasStarted)
        {
            SetErrorResponse(statusCode);
        }
        else if (!_responseCompleted)
        {
            BreakResponse();
        }
    }

    /// <summary>The response cannot be completed correctly: send what was written, no end marker, then close (Kestrel's way).</summary>
    private void BreakResponse()
    {
        Owner.EndReason.Set(ConnectionEndReason.ErrorAfterStartingResponse);
        _responseBroken = true;
        _keepAlive = false;
    }

    private void SetErrorResponse(int statusCode)
    {
        _statusCode = statusCode;
        _reasonPhrase = null;
        _responseHeaders.Reset();
        _responseHeaders.ContentLength = 0;
        _onStarting.Clear();
        _preStartBuffer?.ResetWrittenCount();
    }

    private void ReportApplicationError(Exception error)
        => ServerLog.ApplicationError(_service.ConnectionLogger, ConnectionId, ((IHttpRequestIdentifierFeature)this).TraceIdentifier, error);

    private bool TryStartSynchronously()
    {
        if (_onStarting.Count > 0)
        {
            return false;
        }

        CommitHead();
        return true;
    }

    private void FlushPreStartBuffer()
    {
        if (_preStartBuffer is { WrittenCount: > 0 } buffer)
        {
            WriteBody(buffer.WrittenSpan);
            buffer.ResetWrittenCount();
        }
    }

    private void ReleasePreStartBuffer() => _preStartBuffer = null;

    /// <summary>
    /// The app's SendFileAsync (static files). Files up to <see cref="SmallFileLimit"/> are read into the output
    /// pipe, so the head and the file leave in one write (and a pipelined batch in one writev): at that size
    /// sendfile(2) costs more than the copy, and a separate head write would cost a second TCP segment. Larger
    /// files go through the transport's sendfile when the response has a Content-Length; otherwise they are
    /// copied through the body with the response's framing. A peer that went away ends the send quietly, like a
    /// write to an aborted Kestrel connection: the request is aborted and the connection closes.
    /// </summary>
    private async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken)
    {
        await EnsureStartedAsync();
        FlushPreStartBuffer();
        var fd = SmallFile.TryOpenRegular(path, out var size);
        if (fd >= 0 && (count ?? size - offset) is >= 0 and <= SmallFileLimit)
        {
            // The common static file: no SafeFileHandle, no allocation.
            try
            {
                CopySmallFile(fd, offset, count ?? size - offset);
            }
            finally
            {
                SmallFile.Close(fd);
            }

            return;
        }

        using var file = fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var length = count ?? (RandomAccess.GetLength(file) - offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length, nameof(count));
        if (length <= SmallFileLimit)
        {
            CopySmallFile((int)file.DangerousGetHandle(), offset, length);
            return;
        }

        if (!CheckBodyWrite(length))
        {
            return;
        }

        var sendFile = _connection.Features.Get<IConnectionSendFileFeature>();
        try
        {
            if (sendFile is null || _framer.Framing != ResponseFraming.ContentLength)
            {
                await CopyToBodyAsync(file, offset, length, cancellationToken);
                return;
            }

            ServerLog.SendFile(_service.ConnectionLogger, ConnectionId, length, path);
            _pendingFlush = true;
            await FlushPendingAsync();
            await SendFileTimedAsync(sendFile, file, offset, length, cancellationToken);
            _framer.CountSent(length);
        }
        catch (Exception ex) when (ex is ConnectionResetException or ConnectionAbortedException)
        {
            ServerLog.SendFileAborted(_service.ConnectionLogger, ConnectionId, ex.Message);
            Owner.EndReason.Set(ConnectionEndReason.ConnectionReset); // the peer went away mid-response, not an app error
            BreakResponse();
        }
    }

    /// <summary>Reads a small file region into the response body (synchronous pread: the file is small).</summary>
    private void CopySmallFile(int fd, long offset, long length)
    {
        if (length == 0 || !CheckBodyWrite(length))
        {
            return;
        }

        while (length > 0)
        {
            var memory = GetBodyMemory((int)length);
            var read = SmallFile.Read(fd, memory.Span[..(int)Math.Min(memory.Length, length)], offset);
            if (read == 0)
            {
                ThrowFileEndedEarly();
            }

            AdvanceBody(read);
            offset += read;
            length -= read;
        }
    }

    /// <summary>Copies a file region through the body with the response's framing, flushing as it goes.</summary>
    private async Task CopyToBodyAsync(SafeFileHandle file, long offset, long length, CancellationToken cancellationToken)
    {
        while (length > 0)
        {
            if (Owner.IsConnectionClosed)
            {
                // Writes to a closed connection are discarded, not failed: stop reading the file for nobody.
                throw new ConnectionAbortedException("The connection closed while the file was being sent.");
            }

            var memory = GetBodyMemory((int)Math.Min(length, CopyChunkSize));
            var read = await RandomAccess.ReadAsync(file, memory[..(int)Math.Min(memory.Length, length)], offset, cancellationToken);
            if (read == 0)
            {
                ThrowFileEndedEarly();
            }

            AdvanceBody(read);
            offset += read;
            length -= read;
            var flush = await FlushBodyAsync(cancellationToken);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                throw new ConnectionAbortedException("The connection closed while the file was being sent.");
            }
        }
    }

    [DoesNotReturn]
    private static void ThrowFileEndedEarly() => throw new IOException("The file is shorter than the response's length: it changed while being sent.");
}

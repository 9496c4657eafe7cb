using System.Buffers;
using System.Runtime.CompilerServices;
using EventCore.Server.Infrastructure;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Http1;

/// <summary>
/// Ending a request the way Kestrel does: an app exception before the response started becomes a 500 (or the
/// BadHttpRequestException's status) with Content-Length: 0; after it started, the response is cut short: what was
/// written is sent, the response end (last chunk) is not, and the connection closes, so the client sees a truncated
/// body rather than a complete-looking one. Then OnCompleted callbacks run.
/// </summary>
internal abstract partial class Http1Connection
{
    private ArrayBufferWriter<byte>? _preStartBuffer;
    private bool _responseBroken;

    /// <summary>Body bytes the app wrote before the head could be written (OnStarting callbacks still pending).</summary>
    private ArrayBufferWriter<byte> PreStartBuffer => _preStartBuffer ??= new ArrayBufferWriter<byte>();

    /// <summary>After the app returned (or threw): finish the response and run OnCompleted. Returns the error to report.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected async ValueTask<Exception?> FinishRequestAsync(Exception? error)
    {
        if (error is not null)
        {
            OnApplicationException(error);
        }

        try
        {
            await CompleteResponseAsync();
        }
        catch (Exception ex)
        {
            error ??= ex;
            OnApplicationException(ex);
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

    /// <summary>Writes whatever ends the response: the head if not yet written, the last chunk; checks Content-Length.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CompleteResponseAsync()
    {
        if (_responseCompleted || _aborted || _responseBroken)
        {
            return;
        }

        if (!_hasStarted)
        {
            PrepareUnstartedResponseEnd();
            await EnsureStartedAsync();
            FlushPreStartBuffer();
        }

        if (_responseFraming == ResponseFraming.Chunked)
        {
            _output.Write(ResponseWriter.ChunkedTerminator);
            _pendingFlush = true;
        }
        else if (_responseFraming == ResponseFraming.ContentLength && _responseBytesWritten < _declaredLength)
        {
            ReportApplicationError(new InvalidOperationException(
                $"Response Content-Length mismatch: too few bytes written ({_responseBytesWritten} of {_declaredLength})."));
            BreakResponse();
        }

        _responseCompleted = true;
    }

    /// <summary>The app returned without starting the response: the whole body is known now.</summary>
    private void PrepareUnstartedResponseEnd()
    {
        var buffered = _preStartBuffer?.WrittenCount ?? 0;
        var bodyAllowed = !HttpMethods.IsHead(_method) && _statusCode is >= 200 and not 204 and not 304;
        if (!bodyAllowed || _upgraded || _responseHeaders.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.TransferEncoding))
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
    /// sendfile(2) through the transport when it offers it and the framing allows raw bytes (Content-Length, not
    /// chunked, not HEAD): the head and earlier body are flushed first, then the file goes kernel to socket.
    /// Otherwise the file is copied through the body stream.
    /// </summary>
    private async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken)
    {
        await EnsureStartedAsync();
        FlushPreStartBuffer();
        var sendFile = _connection.Features.Get<IConnectionSendFileFeature>();
        if (sendFile is null || _responseFraming != ResponseFraming.ContentLength)
        {
            await SendFileFallback.SendFileAsync(_responseBodyStream, path, offset, count, cancellationToken);
            return;
        }

        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var length = count ?? (RandomAccess.GetLength(file) - offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length, nameof(count));
        if (length == 0 || !CheckBodyWrite(length))
        {
            return;
        }

        ServerLog.SendFile(_service.ConnectionLogger, ConnectionId, length, path);
        _pendingFlush = true;
        await FlushPendingAsync();
        await sendFile.SendFileAsync(file, offset, length, cancellationToken);
        _responseBytesWritten += length;
    }
}

using System.Buffers;
using System.Runtime.CompilerServices;
using EventCore.Server.Infrastructure;
using EventCore.Server.Infrastructure.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Http1;

/// <summary>
/// Ending a request the way Kestrel does: an app exception before the response started becomes a 500 (or the
/// BadHttpRequestException's status) with Content-Length: 0; after it started, the response is cut short: what was
/// written is sent, the response end (last chunk) is not, and the connection closes, so the client sees a truncated
/// body rather than a complete-looking one. Then OnCompleted callbacks run.
/// </summary>
internal abstract partial class Http1Exchange
{
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
        if (error is not null || _response.HasOnCompleted || !CanCompleteResponseSynchronously)
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

        if (_response.HasOnCompleted)
        {
            // The client should not wait for our after-response work.
            await FlushPendingAsync();
            await _response.FireOnCompletedAsync();
        }

        return error;
    }

    /// <summary>Whether ending the response needs no await: it started already, or has no OnStarting callback to run first.</summary>
    private bool CanCompleteResponseSynchronously => _response.HasStarted || !_response.HasOnStarting;

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

        if (!_response.HasStarted)
        {
            PrepareUnstartedResponseEnd();
            CommitHead();
            FlushPreStartBuffer();
        }

        if (_framer.Framing == ResponseFraming.Chunked)
        {
            _response.WriteChunkedEnd(_output);
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
        _response.SetTrailersReadOnly(true);
    }

    /// <summary>The app returned without starting the response: the whole body is known now.</summary>
    private void PrepareUnstartedResponseEnd()
    {
        var buffered = _preStartBuffer?.WrittenCount ?? 0;
        var headers = _response.Headers;
        var bodyAllowed = !IsHeadRequest && _response.StatusCode is >= 200 and not 204 and not 304;
        // Trailers need chunked framing, which a Content-Length set here would rule out.
        if (!bodyAllowed || _upgraded || (headers.Known & KnownResponseHeaders.TransferEncoding) != 0
            || (headers.ContentLength is null && _response.HasTrailers))
        {
            return;
        }

        if (headers.ContentLength is null)
        {
            headers.ContentLength = buffered;
        }
        else if (headers.ContentLength > buffered && buffered == 0)
        {
            ReportApplicationError(new InvalidOperationException(
                $"Response Content-Length mismatch: too few bytes written (0 of {headers.ContentLength})."));
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

        if (!_response.HasStarted)
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
        _response.BecomeError(statusCode);
        _preStartBuffer?.ResetWrittenCount();
    }

    internal void ReportApplicationError(Exception error)
        => ServerLog.ApplicationError(_service.ConnectionLogger, ConnectionId, ((IHttpRequestIdentifierFeature)this).TraceIdentifier, error);

    private bool TryStartSynchronously()
    {
        if (_response.HasOnStarting)
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
}

using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using EventCore.Server.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace EventCore.Server.Http1;

/// <summary>
/// Writing the response head and what may follow it, and the body feature the app writes through
/// (<see cref="IHttpResponseBodyFeature"/>). The head is decided once (Kestrel's rules): Content-Length if
/// the app set it, else chunked on HTTP/1.1, else close-delimited; Date/Server added; Connection: close when this is
/// the last response. The body's bytes are framed by <see cref="ResponseFramer"/> once the checks here let them
/// through. Output goes to the pipe unflushed; see <see cref="FlushBodyAsync"/> for when it is flushed.
/// </summary>
internal abstract partial class Http1Exchange : IHttpResponseBodyFeature
{
    private const int LargeUnflushedBytes = 64 * 1024;

    // The head's size past the status line, as a hint for its first span: Date, Server and a couple of short app
    // fields (plaintext's head is 121 bytes). A bigger head takes more spans; a much bigger hint would leave the
    // rest of a segment unused more often.
    private const int HeadSizeHint = 128;

    private readonly ResponseFramer _framer = new();
    private ResponseBodyWriter _responseBodyWriter = null!;
    private ResponseBodyStream _responseBodyStream = null!;
    private bool _responseCompleted;
    private bool _upgraded;

    internal bool HasResponseStarted => _response.HasStarted;

    /// <summary>
    /// Whether the client sent HEAD: the method as parsed, not the request feature's, which the app may rewrite (an app
    /// that serves HEAD with its GET code sets GET), as Kestrel decides. Body bytes after a HEAD response would be read
    /// by the client as the next response.
    /// </summary>
    private bool IsHeadRequest => HttpMethods.IsHead(_head.Method);

    /// <summary>Whether trailers can still be sent: HTTP/1.1, not HEAD, not ended, and chunked (or not yet decided).</summary>
    internal bool CanSendTrailers => _head.Version == HttpVersion.Http11 && !IsHeadRequest && !_responseCompleted
        && (_response.HasStarted ? _framer.Framing == ResponseFraming.Chunked : !_upgraded);

    Stream IHttpResponseBodyFeature.Stream => _responseBodyStream;

    PipeWriter IHttpResponseBodyFeature.Writer => _responseBodyWriter;

    /// <summary>Responses are written to the output pipe as they come; there is no extra buffering to turn off.</summary>
    void IHttpResponseBodyFeature.DisableBuffering()
    {
    }

    Task IHttpResponseBodyFeature.StartAsync(CancellationToken cancellationToken) => EnsureStartedAsync().AsTask();

    Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken)
        => SendFileAsync(path, offset, count, cancellationToken);

    async Task IHttpResponseBodyFeature.CompleteAsync()
    {
        await CompleteResponseAsync();
        await FlushPendingAsync();
    }

    internal long UnflushedBodyBytes => _response.HasStarted ? _framer.Unflushed : _preStartBuffer?.WrittenCount ?? 0;

    /// <summary>Starts the response: OnStarting callbacks (async), then the head into the output pipe.</summary>
    internal ValueTask EnsureStartedAsync()
    {
        if (_response.HasStarted)
        {
            return default;
        }

        if (!_response.HasOnStarting)
        {
            CommitHead();
            return default;
        }

        return new ValueTask(FireOnStartingThenCommitAsync());
    }

    private async Task FireOnStartingThenCommitAsync()
    {
        await _response.FireOnStartingAsync();
        CommitHead();
    }

    private void CommitHead()
    {
        // May throw (a Transfer-Encoding the status forbids): the response has not started then, as in Kestrel.
        var headers = _response.Headers;
        var appCoding = AppTransferEncoding.Prepare(headers, _head.Version, _response.StatusCode);
        _response.Start();
        _framer.Start(ChooseFraming(appCoding), headers.ContentLength ?? -1);
        _response.SetTrailersReadOnly(!CanSendTrailers);
        var known = headers.Known;
        // A client still waiting for 100-continue will not send the body now: the connection's framing is unknown.
        var bodyWithheld = _head.ExpectContinue && !_continueSent && !_bodyReader.IsComplete;
        if (bodyWithheld || _service.IsShuttingDown || Owner.IsClosing || Owner.ConnectionAgeReached
            || ((known & KnownResponseHeaders.Connection) != 0 && HeaderHasToken(HeaderNames.Connection, "close")))
        {
            _keepAlive = false;
        }

        var statusLine = ResponseWriter.StatusLine(_response.StatusCode, _response.ReasonPhrase);
        var head = new HeadWriter(_output, statusLine.Length + HeadSizeHint);
        head.Write(statusLine);
        head.WriteFields(headers);
        WriteServerFields(ref head);

        if (_framer.Framing == ResponseFraming.Chunked && appCoding == AppTransferCoding.None)
        {
            head.Write("Transfer-Encoding: chunked\r\n"u8);
        }

        if (!_upgraded && (known & KnownResponseHeaders.Connection) == 0)
        {
            if (!_keepAlive)
            {
                head.Write("Connection: close\r\n"u8);
            }
            else if (_head.Version == HttpVersion.Http10)
            {
                head.Write("Connection: keep-alive\r\n"u8);
            }
        }

        head.Write("\r\n"u8);
        head.Commit();
        _pendingFlush = true;
    }

    /// <summary>Answers a request the parser or a limit refused: status, Content-Length: 0, Connection: close.</summary>
    internal async ValueTask RejectAsync(RequestRejection rejection)
    {
        var statusCode = rejection.StatusCode();
        _service.Metrics.BadRequest(rejection);
        Owner.EndReason.Set(Infrastructure.Metrics.ConnectionEndReasonExtensions.ToEndReason(rejection));
        ServerLog.BadRequest(_service.ConnectionLogger, ConnectionId, rejection.ToString(), statusCode);
        _keepAlive = false;
        var statusLine = ResponseWriter.StatusLine(statusCode, null);
        var head = new HeadWriter(_output, statusLine.Length + HeadSizeHint);
        head.Write(statusLine);
        WriteServerFields(ref head);
        head.Write("Content-Length: 0\r\nConnection: close\r\n\r\n"u8);
        head.Commit();
        _pendingFlush = true;
        await FlushPendingAsync();
    }

    private ResponseFraming ChooseFraming(AppTransferCoding appCoding)
    {
        if (_upgraded)
        {
            return ResponseFraming.Raw;
        }

        if (IsHeadRequest || _response.StatusCode is < 200 or 204 or 304)
        {
            return ResponseFraming.NoBody;
        }

        if (appCoding == AppTransferCoding.Other)
        {
            // RFC 9112 §6.1: a final coding other than chunked ends the body by closing the connection.
            _keepAlive = false;
            return ResponseFraming.CloseDelimited;
        }

        if (appCoding == AppTransferCoding.Chunked)
        {
            return ResponseFraming.Chunked;
        }

        if (_response.Headers.ContentLength is not null)
        {
            return ResponseFraming.ContentLength;
        }

        if (_head.Version == HttpVersion.Http11)
        {
            return ResponseFraming.Chunked;
        }

        _keepAlive = false;
        return ResponseFraming.CloseDelimited;
    }

    /// <summary>Date and Server, unless the app set them (a response's head and a rejection's).</summary>
    private void WriteServerFields(ref HeadWriter head)
    {
        var known = _response.Headers.Known;
        if ((known & KnownResponseHeaders.Date) == 0)
        {
            head.Write(_service.DateCache.Current.HeaderLine);
        }

        if (_service.Options.AddServerHeader && (known & KnownResponseHeaders.Server) == 0)
        {
            head.Write("Server: EventCore\r\n"u8);
        }
    }

    private bool HeaderHasToken(string name, string token)
    {
        foreach (var value in _response.Headers[name])
        {
            if (value is not null && value.Contains(token, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes body bytes with the response's framing. The response has started.</summary>
    internal void WriteBody(ReadOnlySpan<byte> data)
    {
        if (!data.IsEmpty && CheckBodyWrite(data.Length))
        {
            _framer.Write(_output, data);
            _pendingFlush = true;
        }
    }

    /// <summary>Memory for the app to write body bytes into (chunked: room for the chunk framing is kept around it).</summary>
    internal Memory<byte> GetBodyMemory(int sizeHint)
        => _response.HasStarted || TryStartSynchronously() ? _framer.GetMemory(_output, sizeHint) : PreStartBuffer.GetMemory(sizeHint);

    internal void AdvanceBody(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_preStartBuffer is not null && !_response.HasStarted)
        {
            _preStartBuffer.Advance(count);
        }
        else if (count > 0 && CheckBodyWrite(count))
        {
            _framer.Advance(_output, count);
            _pendingFlush = true;
        }
    }

    /// <summary>
    /// Flush policy for the app's writes and flushes: flush now, except when a Content-Length body is complete and
    /// small: then the end of the request (or of the pipelined batch) flushes it, so pipelined plaintext responses
    /// leave in one write.
    /// </summary>
    internal ValueTask<FlushResult> FlushBodyAsync(CancellationToken cancellationToken)
    {
        // Not an async method: a write that needs no flush (or whose flush completes at once) costs no state machine.
        try
        {
            if (!_response.HasStarted && !TryStartSynchronously())
            {
                return StartThenFlushBodyAsync(cancellationToken); // OnStarting callbacks to await first
            }

            FlushPreStartBuffer();
            if (_framer.IsLengthComplete && _framer.Unflushed < LargeUnflushedBytes)
            {
                return default;
            }

            _pendingFlush = false;
            _framer.OnFlushed();
            return FlushOutputAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<FlushResult>(ex); // in the task, as from the async method this replaces
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<FlushResult> StartThenFlushBodyAsync(CancellationToken cancellationToken)
    {
        await EnsureStartedAsync();
        return await FlushBodyAsync(cancellationToken);
    }

    /// <summary>Stream/PipeWriter WriteAsync: start if needed, frame the bytes, then the flush policy.</summary>
    internal ValueTask<FlushResult> WriteBodyAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        if (!_response.HasStarted && !TryStartSynchronously())
        {
            PreStartBuffer.Write(source.Span);
        }
        else
        {
            WriteBody(source.Span);
        }

        return FlushBodyAsync(cancellationToken);
    }

    internal void CancelPendingFlush() => _output.CancelPendingFlush();

    /// <summary>Whether these bytes may be written; false to drop them (HEAD). Throws on a framing violation.</summary>
    private bool CheckBodyWrite(long count)
    {
        if (_responseCompleted)
        {
            throw new InvalidOperationException("The response body was already completed.");
        }

        switch (_framer.Framing)
        {
            case ResponseFraming.NoBody when IsHeadRequest:
                _framer.CountSent(count);
                return false;
            case ResponseFraming.NoBody:
                throw new InvalidOperationException($"Writing to the response body is invalid for responses with status code {_response.StatusCode}.");
            case ResponseFraming.ContentLength when _framer.BytesWritten + count > _framer.DeclaredLength:
                _keepAlive = false;
                Owner.EndReason.Set(Infrastructure.Metrics.ConnectionEndReason.ResponseContentLengthMismatch);
                throw new InvalidOperationException($"Response Content-Length mismatch: too many bytes written ({_framer.BytesWritten + count} of {_framer.DeclaredLength}).");
            default:
                return true;
        }
    }

    private void ResetResponseBody()
    {
        _framer.Reset();
        _responseCompleted = false;
        _responseBroken = false;
        _upgraded = false;
    }
}

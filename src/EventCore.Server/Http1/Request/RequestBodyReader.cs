using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;

namespace EventCore.Server.Http1;

/// <summary>
/// The request body as a <see cref="PipeReader"/> (<c>HttpRequest.BodyReader</c>); one per exchange, attached to the
/// connection's input while the exchange serves it, reset per request; request thread only. A Content-Length body is handed out as slices of the transport's input buffer
/// (zero copy) and consumed positions go straight back to the transport. A chunked body is decoded into a small
/// internal pipe (copying only the data bytes), because chunk framing interleaved with data cannot be handed out
/// as one contiguous sequence.
/// </summary>
internal sealed partial class RequestBodyReader(Http1Exchange connection, ChunkedDecoder decoder) : PipeReader
{
    private readonly Http1Exchange _connection = connection;
    private PipeReader _input = null!;
    private readonly ChunkedDecoder _decoder = decoder;

    private RequestBodyKind _kind;
    private long _remaining;
    private long _contentLength;
    private bool _started;
    private bool _appCanceled;
    private ReadOnlySequence<byte> _lastSlice;
    private bool _holdingInput;

    /// <summary>The app (or the drain) has started reading: the size limit is fixed from now on.</summary>
    public bool HasStarted => _started;

    /// <summary>The whole body has been taken from the transport (trailers are available).</summary>
    public bool IsComplete => _kind switch
    {
        RequestBodyKind.None => true,
        RequestBodyKind.ContentLength => _remaining == 0,
        _ => _chunkedDone,
    };

    public long Remaining => _remaining;

    /// <summary>The transport input of the connection the exchange now serves.</summary>
    public void Attach(PipeReader input) => _input = input;

    public void Reset(RequestBodyKind kind, long contentLength)
    {
        _kind = kind;
        _contentLength = _remaining = kind == RequestBodyKind.ContentLength ? contentLength : 0;
        _started = false;
        _appCanceled = false;
        _lastSlice = default;
        _holdingInput = false;
        if (kind == RequestBodyKind.Chunked)
        {
            ResetChunked();
        }
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (IsComplete && _kind != RequestBodyKind.Chunked)
        {
            _started = true;
            return new(new ReadResult(default, false, true));
        }

        if (!_started)
        {
            return FirstReadAsync(cancellationToken);
        }

        return _kind == RequestBodyKind.ContentLength ? ReadContentLengthAsync(cancellationToken) : ReadChunkedAsync(cancellationToken);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (IsComplete && _kind != RequestBodyKind.Chunked)
        {
            result = new ReadResult(default, false, true);
            return true;
        }

        if (!_started || _kind == RequestBodyKind.Chunked)
        {
            return TryReadChunked(out result);
        }

        if (!_input.TryRead(out var raw))
        {
            result = default;
            return false;
        }

        result = SliceContentLength(raw);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (_kind == RequestBodyKind.Chunked)
        {
            AdvanceChunked(consumed, examined);
            return;
        }

        if (!_holdingInput)
        {
            return; // the result came from no transport read (the body was already complete)
        }

        _holdingInput = false;
        var count = _lastSlice.Slice(_lastSlice.Start, consumed).Length;
        _remaining -= count;
        _connection.OnBodyBytesConsumed(count);
        _lastSlice = default;
        _input.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead()
    {
        _appCanceled = true;
        if (_kind == RequestBodyKind.Chunked)
        {
            _chunked?.Reader.CancelPendingRead();
        }

        _input.CancelPendingRead();
    }

    /// <summary>Completing the body reader does not touch the transport: the connection still owns it.</summary>
    public override void Complete(Exception? exception = null)
    {
    }

    /// <summary>Reads and discards what is left of the body, up to <paramref name="limit"/> bytes. False: give up and close.</summary>
    public async ValueTask<bool> DrainAsync(long limit)
    {
        _started = true;
        long drained = 0;
        while (!IsComplete)
        {
            var result = await ReadAsync();
            drained += result.Buffer.Length;
            AdvanceTo(result.Buffer.End);
            if (drained > limit || result.IsCanceled)
            {
                return false;
            }

            if (result.IsCompleted)
            {
                return IsComplete;
            }
        }

        return true;
    }

    public void ReleaseIdleResources() => _chunked = null;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> FirstReadAsync(CancellationToken cancellationToken)
    {
        var max = _connection.MaxRequestBodySize;
        if (_kind == RequestBodyKind.ContentLength && _contentLength > max)
        {
            throw TooLarge(max.Value);
        }

        _started = true;
        await _connection.OnFirstBodyReadAsync();
        return await ReadAsync(cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReadContentLengthAsync(CancellationToken cancellationToken)
    {
        var raw = await ReadInputAsync(cancellationToken);
        if (!raw.IsCanceled && raw.IsCompleted && raw.Buffer.Length < _remaining)
        {
            _input.AdvanceTo(raw.Buffer.Start);
            throw Truncated();
        }

        return SliceContentLength(raw);
    }

    private ReadResult SliceContentLength(ReadResult raw)
    {
        var buffer = raw.Buffer;
        var isComplete = buffer.Length >= _remaining;
        _lastSlice = isComplete ? buffer.Slice(0, _remaining) : buffer;
        _holdingInput = true;
        return new ReadResult(_lastSlice, raw.IsCanceled, isComplete);
    }

    /// <summary>Reads the transport, timing the wait for MinRequestBodyDataRate; a canceled read is the app's, a timeout's, or spurious.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReadInputAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            _connection.OnBodyReadWaitStart();
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(cancellationToken);
            }
            finally
            {
                _connection.OnBodyReadWaitEnd();
            }

            if (!result.IsCanceled || _appCanceled)
            {
                _appCanceled = false;
                return result;
            }

            _input.AdvanceTo(result.Buffer.Start);
            if (_connection.BodyTimedOut)
            {
                _connection.OnBodyRejected(RequestRejection.RequestBodyTimeout);
                throw new BadHttpRequestException("Reading the request body timed out due to data arriving too slowly.", StatusCodes.Status408RequestTimeout);
            }
        }
    }

    private BadHttpRequestException TooLarge(long max)
    {
        _connection.OnBodyRejected(RequestRejection.RequestBodyTooLarge);
        return new BadHttpRequestException($"Request body too large. The max request body size is {max} bytes.", StatusCodes.Status413PayloadTooLarge);
    }

    private BadHttpRequestException Truncated()
    {
        _connection.OnBodyRejected(RequestRejection.UnexpectedEndOfRequestContent);
        return new BadHttpRequestException("Unexpected end of request content.", StatusCodes.Status400BadRequest);
    }
}

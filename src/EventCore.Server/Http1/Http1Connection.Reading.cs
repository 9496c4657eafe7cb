using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace EventCore.Server.Http1;

/// <summary>Waiting for the next request head; flushing the previous responses when no whole request is buffered.</summary>
internal abstract partial class Http1Connection
{
    /// <summary>
    /// Waits for and parses the next request head into the exchange. Previous responses stay unflushed while a further
    /// complete request is already buffered (pipelining: one flush, one writev for the batch) and are flushed before
    /// waiting for bytes — and then, with nothing of a request left, the exchange goes back to the pool while the
    /// connection waits. Returns false when the connection should close (peer closed, rejected, timed out, shutting down).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadRequestHeadAsync()
    {
        _exchange?.ResetRequest();
        ResetRequestTimers();
        ResetAbort();
        var needMoreData = false;
        var headStarted = false;
        while (true)
        {
            if (needMoreData || !_input.TryRead(out var result))
            {
                if (!headStarted && !await SettleBeforeWaitingAsync())
                {
                    return false;
                }

                result = await WaitForHeadBytesAsync(headStarted);
            }

            if (result.IsCanceled)
            {
                _input.AdvanceTo(result.Buffer.Start);
                if (await OnHeadReadCanceledAsync(headStarted))
                {
                    return false;
                }

                needMoreData = true;
                continue;
            }

            var buffer = result.Buffer;
            if (!headStarted && buffer.IsEmpty && result.IsCompleted)
            {
                return false; // FIN between requests: a normal close
            }

            if (!headStarted && !buffer.IsEmpty)
            {
                headStarted = true;
                SetDeadline(DeadlineKind.RequestHeaders, Limits.RequestHeadersTimeout);
            }

            _isIdle = false;
            var exchange = TakeExchange();
            var reader = new SequenceReader<byte>(buffer);
            var status = exchange.ParseHead(ref reader, out var rejection);
            if (status == ParseResult.Complete)
            {
                _input.AdvanceTo(reader.Position);
                ClearDeadline();
                _requestNumber++;
                exchange.OnHeadComplete();
                return true;
            }

            _input.AdvanceTo(reader.Position, buffer.End);
            if (status == ParseResult.Rejected)
            {
                await exchange.RejectAsync(rejection);
                return false;
            }

            if (result.IsCompleted)
            {
                // FIN. After nothing but empty lines it is a normal close; in the middle of a head it is a truncated
                // request, answered with 400 (Kestrel's way) in case the client only half-closed and still reads.
                if (exchange.RequestLineDone || !buffer.Slice(reader.Position).IsEmpty)
                {
                    await exchange.RejectAsync(RequestRejection.UnexpectedEndOfRequestHead);
                }

                return false;
            }

            needMoreData = true;
        }
    }

    /// <summary>
    /// Before waiting for a new request: the responses written so far go out, and the exchange returns to the pool
    /// (an idle connection holds no per-request state). False when the output is closed.
    /// </summary>
    private async ValueTask<bool> SettleBeforeWaitingAsync()
    {
        if (_exchange is not { } exchange)
        {
            return true;
        }

        await exchange.FlushPendingAsync();
        if (exchange.OutputClosed)
        {
            return false;
        }

        ReleaseExchange();
        return true;
    }

    private ValueTask<ReadResult> WaitForHeadBytesAsync(bool headStarted)
    {
        if (!headStarted)
        {
            _isIdle = true;
            Interlocked.MemoryBarrier(); // pairs with BeginShutdown: one of us sees the other's flag
            SetDeadline(DeadlineKind.KeepAlive, Limits.KeepAliveTimeout);
            if (_closing)
            {
                _input.CancelPendingRead();
            }
        }

        return _input.ReadAsync();
    }

    /// <summary>A read woke up canceled: headers timeout (answer 408) or shutdown while idle. True = close now.</summary>
    private async ValueTask<bool> OnHeadReadCanceledAsync(bool headStarted)
    {
        _isIdle = false;
        if (_headersTimedOut)
        {
            await TakeExchange().RejectAsync(RequestRejection.RequestHeadersTimeout);
            return true;
        }

        return _closing && !headStarted;
    }
}

using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using EventCore.Server.Infrastructure;

namespace EventCore.Server.Http1;

/// <summary>
/// Waiting for the next request head (the loop itself is in <see cref="RunAsync"/>, so an idle connection holds one
/// state machine): previous responses stay unflushed while a further complete request is already buffered
/// (pipelining: one flush, one writev for the batch) and are flushed before waiting for bytes — and then, with
/// nothing of a request left, the exchange goes back to the pool while the connection waits.
/// </summary>
internal abstract partial class Http1Connection
{
    /// <summary>What became of the bytes read while waiting for a request head.</summary>
    private enum HeadOutcome : byte
    {
        /// <summary>A whole head was parsed into the exchange: serve the request.</summary>
        Complete,

        /// <summary>Part of a head (or nothing yet): wait for more bytes.</summary>
        NeedMoreData,

        /// <summary>The read was canceled: a headers timeout or shutdown (<see cref="OnHeadReadCanceledAsync"/>).</summary>
        Canceled,

        /// <summary>The head is refused (the rejection says why): answer it, then close.</summary>
        Rejected,

        /// <summary>Close without an answer: FIN between requests.</summary>
        Closed,
    }

    /// <summary>
    /// Before waiting for a request head (request thread): the connection's per-request state of the previous one is
    /// reset. The exchange's is reset when it is next taken (<see cref="TakeExchange"/>): most often it goes back to
    /// the pool first (<see cref="Settle"/>), and is reset when rented.
    /// </summary>
    private void BeginHeadWait()
    {
        ResetRequestTimers();
        ResetAbort();
    }

    /// <summary>Parses what a read returned (request thread); advances the input past what it consumed.</summary>
    private HeadOutcome OnHeadBytes(in ReadResult result, ref bool headStarted, out RequestRejection rejection)
    {
        rejection = default;
        if (result.IsCanceled)
        {
            _input.AdvanceTo(result.Buffer.Start);
            return HeadOutcome.Canceled;
        }

        var buffer = result.Buffer;
        if (!headStarted && buffer.IsEmpty && result.IsCompleted)
        {
            return HeadOutcome.Closed; // FIN between requests: a normal close
        }

        if (!headStarted && !buffer.IsEmpty)
        {
            headStarted = true;
            SetDeadline(DeadlineKind.RequestHeaders, Limits.RequestHeadersTimeout);
        }

        _isIdle = false;
        var exchange = TakeExchange();
        var reader = new SequenceReader<byte>(buffer);
        var status = exchange.Head.Parse(ref reader, out rejection);
        if (status == ParseResult.Complete)
        {
            _input.AdvanceTo(reader.Position);
            ClearDeadline();
            _requestNumber++;
            exchange.OnHeadComplete();
            return HeadOutcome.Complete;
        }

        _input.AdvanceTo(reader.Position, buffer.End);
        if (status == ParseResult.Rejected)
        {
            return HeadOutcome.Rejected;
        }

        if (result.IsCompleted)
        {
            // FIN. After nothing but empty lines it is a normal close; in the middle of a head it is a truncated
            // request, answered with 400 (Kestrel's way) in case the client only half-closed and still reads.
            if (exchange.Head.RequestLineDone || !buffer.Slice(reader.Position).IsEmpty)
            {
                rejection = RequestRejection.UnexpectedEndOfRequestHead;
                return HeadOutcome.Rejected;
            }

            return HeadOutcome.Closed;
        }

        if (headStarted)
        {
            WatchHeadersDeadline(); // the head comes in pieces: its RequestHeadersTimeout clock must be watched
        }

        return HeadOutcome.NeedMoreData;
    }

    /// <summary>
    /// Before waiting for a new request: the responses written so far go out, and the exchange returns to the pool
    /// (an idle connection holds no per-request state; see <see cref="Settle"/>). False when the output is closed.
    /// </summary>
    private ValueTask<bool> SettleBeforeWaitingAsync()
    {
        if (_exchange is not { } exchange)
        {
            return new(true);
        }

        var flush = exchange.FlushPendingAsync();
        if (!flush.IsCompletedSuccessfully)
        {
            return SettleAfterFlushAsync(flush); // not an async method above: a flush done at once costs no state machine
        }

        flush.GetAwaiter().GetResult(); // completed: does not block; gives a pooled source back
        return new(Settle());
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> SettleAfterFlushAsync(ValueTask flush)
    {
        await flush;
        return Settle();
    }

    /// <summary>
    /// The responses are flushed (false if the output is closed), and the exchange goes back to the pool, also when
    /// the connection parks with its pipes: the next request, on this connection or another, rents the exchange
    /// returned last (the pool is last in, first out per thread), whose memory is the likeliest to be in cache. With
    /// 1,000 busy connections this costs less CPU per request than keeping an exchange per connection (perf/ab.sh
    /// conn-1000), and a parked connection holds no exchange.
    /// </summary>
    private bool Settle()
    {
        if (_exchange!.OutputClosed)
        {
            return false;
        }

        ReleaseExchange();
        return true;
    }

    /// <summary>
    /// The connection goes idle between requests (request thread): the keep-alive clock starts. False when shutdown
    /// has begun, so the wait must not park (<see cref="WaitForHeadBytesAsync"/> then ends it at once).
    /// <paramref name="releaseAtOnce"/>: the park is to give the pipes back as soon as it is awaited (<see cref="ReleasesAtOnce"/>).
    /// </summary>
    private bool BeginIdleWait(out bool releaseAtOnce)
    {
        SetDeadline(DeadlineKind.KeepAlive, Limits.KeepAliveTimeout);
        releaseAtOnce = ReleasesAtOnce;
        if (releaseAtOnce)
        {
            _releaseAskedFor = _requestNumber; // the park asks for the release itself, not the heartbeat
        }

        Volatile.Write(ref _idleSince, Heartbeat.Now);
        _isIdle = true;
        Interlocked.MemoryBarrier(); // pairs with BeginShutdown and the timer tick: one of us sees the other's write
        WatchIdle();
        return !_closing;
    }

    /// <summary>After a park the transport's pipes may be other objects: read them again (request thread).</summary>
    private void RefreshPipes()
    {
        _input = _connection.Transport.Input;
        _output = _connection.Transport.Output;
    }

    private ValueTask<ReadResult> WaitForHeadBytesAsync(bool idle)
    {
        if (idle && _closing)
        {
            _input.CancelPendingRead();
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

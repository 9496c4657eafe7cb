using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using EventCore.Server.Infrastructure;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Win32.SafeHandles;

namespace EventCore.Server.Http1;

/// <summary>
/// Per-request minimum data rates, as in Kestrel: <see cref="IHttpMinRequestBodyDataRateFeature"/> and
/// <see cref="IHttpMinResponseDataRateFeature"/> start each request at the server's limits and may be changed (or
/// set to null: no minimum) by the app for its request. The clocks are the connection's (the heartbeat checks
/// them, and must never reach a pooled exchange): the request-body rate is handed over when a body read waits, the
/// response rate when a flush waits (<see cref="ResponseDataRateTimer"/>). Request thread only.
/// </summary>
internal abstract partial class Http1Exchange : IHttpMinRequestBodyDataRateFeature, IHttpMinResponseDataRateFeature
{
    private const long SendFilePiece = 1024 * 1024;

    private MinDataRate? _minRequestBodyDataRate;
    private MinDataRate? _minResponseDataRate;

    MinDataRate? IHttpMinRequestBodyDataRateFeature.MinDataRate
    {
        get => _minRequestBodyDataRate;
        set => _minRequestBodyDataRate = value;
    }

    MinDataRate? IHttpMinResponseDataRateFeature.MinDataRate
    {
        get => _minResponseDataRate;
        set => _minResponseDataRate = value;
    }

    /// <summary>Flushes the output, timing the wait against the response's minimum data rate when there is one.</summary>
    private ValueTask<FlushResult> FlushOutputAsync(CancellationToken cancellationToken = default)
    {
        var bytes = _output.CanGetUnflushedBytes ? _output.UnflushedBytes : 0;
        var flush = _output.FlushAsync(cancellationToken);
        return flush.IsCompleted || _minResponseDataRate is not { } rate ? flush : AwaitTimedFlushAsync(flush, rate, bytes);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<FlushResult> AwaitTimedFlushAsync(ValueTask<FlushResult> flush, MinDataRate rate, long bytes)
    {
        Owner.StartTimedWrite(rate, bytes);
        try
        {
            return await flush;
        }
        finally
        {
            Owner.ResponseRate.StopWrite();
        }
    }

    /// <summary>
    /// The transport's sendfile, timed like flushes. With a minimum rate the file goes in 1 MiB pieces, each timed on
    /// its own: one 100 MB call would earn the whole file's allowance up front (100 MB / rate) however little the
    /// client reads — Kestrel's stream copy of a file is timed per 64 KB write for the same reason.
    /// </summary>
    private async ValueTask SendFileTimedAsync(IConnectionSendFileFeature sendFile, SafeFileHandle file, long offset, long length, CancellationToken cancellationToken)
    {
        if (_minResponseDataRate is null)
        {
            await sendFile.SendFileAsync(file, offset, length, cancellationToken);
            return;
        }

        while (length > 0)
        {
            var piece = Math.Min(length, SendFilePiece);
            await TimedWriteAsync(sendFile.SendFileAsync(file, offset, piece, cancellationToken), piece);
            offset += piece;
            length -= piece;
        }
    }

    private async ValueTask TimedWriteAsync(ValueTask write, long bytes)
    {
        if (write.IsCompleted || _minResponseDataRate is not { } rate)
        {
            await write;
            return;
        }

        Owner.StartTimedWrite(rate, bytes);
        try
        {
            await write;
        }
        finally
        {
            Owner.ResponseRate.StopWrite();
        }
    }

    /// <summary>The body reader is about to wait for bytes: the connection times the wait against this request's rate.</summary>
    internal void OnBodyReadWaitStart() => Owner.OnBodyReadWaitStart(_minRequestBodyDataRate);

    internal void OnBodyReadWaitEnd() => Owner.OnBodyReadWaitEnd();

    internal void OnBodyBytesConsumed(long count) => Owner.OnBodyBytesConsumed(count);

    internal bool BodyTimedOut => Owner.BodyTimedOut;

    /// <summary>Per request: the rates start at the server's limits.</summary>
    private void ResetDataRates()
    {
        _minRequestBodyDataRate = Limits.MinRequestBodyDataRate;
        _minResponseDataRate = Limits.MinResponseDataRate;
    }
}

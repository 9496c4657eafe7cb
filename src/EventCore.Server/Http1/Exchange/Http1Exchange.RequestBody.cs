using System.Buffers;
using System.Runtime.CompilerServices;

namespace EventCore.Server.Http1;

/// <summary>Request-body duties of the connection: 100-continue, rejection, draining an unread body.</summary>
internal abstract partial class Http1Exchange
{
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(5);

    private bool _continueSent;

    /// <summary>
    /// The app's first body read: only now is <c>100 Continue</c> sent (never to HTTP/1.0, never once the response
    /// started), so a client that waits for it never uploads a body the app does not want.
    /// </summary>
    internal ValueTask OnFirstBodyReadAsync()
    {
        if (!_head.ExpectContinue || _continueSent || _head.Version != HttpVersion.Http11 || _response.HasStarted)
        {
            return default;
        }

        _continueSent = true;
        _output.Write(ResponseWriter.Continue);
        _pendingFlush = true;
        return FlushPendingAsync();
    }

    /// <summary>The body could not be read to its end (too large, malformed, truncated, too slow): close after this response.</summary>
    internal void OnBodyRejected(RequestRejection reason)
    {
        _keepAlive = false;
        _service.Metrics.BadRequest(reason);
        Owner.EndReason.Set(Infrastructure.Metrics.ConnectionEndReasonExtensions.ToEndReason(reason));
    }

    /// <summary>
    /// Before the next request, whatever the app left of this body is read and discarded, up to
    /// MaxRequestBodyDrainSize and within a short deadline. False: close the connection instead.
    /// </summary>
    internal ValueTask<bool> DrainRequestBodyAsync() => _bodyReader.IsComplete ? new(true) : DrainRemainingBodyAsync();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> DrainRemainingBodyAsync()
    {
        // A client waiting for 100-continue may never send the body; and a huge remainder is not worth reading.
        if (_upgraded || (_head.ExpectContinue && !_continueSent)
            || (_head.BodyKind == RequestBodyKind.ContentLength && _bodyReader.Remaining > Limits.MaxRequestBodyDrainSize))
        {
            return false;
        }

        await FlushPendingAsync();
        Owner.SetDeadline(DeadlineKind.Drain, s_drainTimeout);
        try
        {
            return await _bodyReader.DrainAsync(Limits.MaxRequestBodyDrainSize);
        }
        catch (Exception ex) when (ex is Microsoft.AspNetCore.Http.BadHttpRequestException or InvalidOperationException)
        {
            return false;
        }
        finally
        {
            Owner.ClearDeadline();
        }
    }
}

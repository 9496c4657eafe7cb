using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Http1;

/// <summary>
/// <c>IHttpResponseTrailersFeature</c> on HTTP/1.1: trailers go after the last chunk, so they are offered while the
/// response can still be (or is) chunked; the fields and their wire form belong to <see cref="ResponseTrailers"/>.
/// Kestrel offers trailers on HTTP/2 and HTTP/3 only; this is EventCore's addition. Request thread only.
/// </summary>
internal abstract partial class Http1Exchange : IHttpResponseTrailersFeature
{
    private ResponseTrailers? _responseTrailers;
    private IHeaderDictionary? _appResponseTrailers;

    IHeaderDictionary IHttpResponseTrailersFeature.Trailers
    {
        get
        {
            if (_appResponseTrailers is { } replaced)
            {
                return replaced;
            }

            var trailers = _responseTrailers ??= new ResponseTrailers { EncodingSelector = _service.Options.ResponseHeaderEncodingSelector };
            trailers.SetReadOnly(!CanSendTrailers);
            return trailers;
        }

        set => _appResponseTrailers = value;
    }

    /// <summary>Whether trailers can still be sent: HTTP/1.1, not HEAD, not ended, and chunked (or not yet decided).</summary>
    private bool CanSendTrailers => _head.Version == HttpVersion.Http11 && !HttpMethods.IsHead(_method) && !_responseCompleted
        && (_hasStarted ? _framer.Framing == ResponseFraming.Chunked : !_upgraded);

    /// <summary>The app added trailers: an unstarted response is then chunked rather than given a Content-Length.</summary>
    private bool HasResponseTrailers => (_appResponseTrailers ?? _responseTrailers) is { Count: > 0 } && CanSendTrailers;

    /// <summary>Ends a chunked body: last chunk, trailers, CRLF. Trailers become read-only.</summary>
    private void WriteChunkedEnd()
    {
        ResponseTrailers.WriteChunkedEnd(_output, _appResponseTrailers ?? _responseTrailers, _service.Options.ResponseHeaderEncodingSelector);
        _responseTrailers?.SetReadOnly(true);
    }

    private void ResetResponseTrailers()
    {
        _responseTrailers?.Reset();
        _appResponseTrailers = null;
    }
}

using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Http1;

/// <summary>
/// A response as the app shapes it: status, reason phrase, headers, the OnStarting and OnCompleted callbacks,
/// trailers, and the body stream the app may replace — the response features that hold state
/// (<see cref="IHttpResponseFeature"/>, <see cref="IHttpResponseTrailersFeature"/>). How the response is framed and
/// written is its exchange's business (<see cref="Http1Exchange"/>), because that depends on the request, keep-alive
/// and the connection; the exchange marks the response started when it writes the head. One per exchange, pooled
/// with it and reset per request. Thread rules: request thread only.
/// </summary>
internal sealed class Http1Response : IHttpResponseFeature, IHttpResponseTrailersFeature
{
    private readonly Http1Exchange _exchange;
    private readonly Stream _serverBody;
    private readonly Func<string, Encoding?>? _encodingSelector;
    private readonly List<KeyValuePair<Func<object, Task>, object>> _onStarting = [];
    private readonly List<KeyValuePair<Func<object, Task>, object>> _onCompleted = [];
    private IHeaderDictionary _appHeaders;
    private Stream _appBody;
    private int _statusCode;
    private string? _reasonPhrase;
    private ResponseTrailers? _trailers;
    private IHeaderDictionary? _appTrailers;

    /// <param name="exchange">The exchange that writes this response: it says whether trailers can still be sent, and logs.</param>
    /// <param name="serverBody">The body stream the server provides (the app may set another).</param>
    /// <param name="encodingSelector">Encodings for non-ASCII header and trailer values (EventCoreServerOptions).</param>
    public Http1Response(Http1Exchange exchange, Stream serverBody, Func<string, Encoding?>? encodingSelector)
    {
        _exchange = exchange;
        _serverBody = serverBody;
        _encodingSelector = encodingSelector;
        Headers = new ResponseHeaders { EncodingSelector = encodingSelector };
        _appHeaders = Headers;
        _appBody = serverBody;
        _statusCode = StatusCodes.Status200OK;
    }

    /// <summary>The server's header collection, the one written (a collection the app sets in the feature's place is not).</summary>
    internal ResponseHeaders Headers { get; }

    internal int StatusCode => _statusCode;

    internal string? ReasonPhrase => _reasonPhrase;

    /// <summary>The head was written (<see cref="Start"/>): status, reason, headers and OnStarting are closed.</summary>
    internal bool HasStarted { get; private set; }

    internal bool HasOnStarting => _onStarting.Count > 0;

    internal bool HasOnCompleted => _onCompleted.Count > 0;

    /// <summary>The app added trailers that can still be sent: an unstarted response is then chunked rather than given a Content-Length.</summary>
    internal bool HasTrailers => (_appTrailers ?? _trailers) is { Count: > 0 } && _exchange.CanSendTrailers;

    int IHttpResponseFeature.StatusCode
    {
        get => _statusCode;
        set
        {
            ThrowIfStarted(nameof(IHttpResponseFeature.StatusCode));
            _statusCode = value is >= 100 and <= 999 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Status codes are 3 digits.");
        }
    }

    string? IHttpResponseFeature.ReasonPhrase
    {
        get => _reasonPhrase;
        set
        {
            ThrowIfStarted(nameof(IHttpResponseFeature.ReasonPhrase));
            if (value is not null && value.AsSpan().ContainsAnyInRange('\0', '\u001f'))
            {
                throw new InvalidOperationException("The reason phrase contains control characters.");
            }

            _reasonPhrase = value;
        }
    }

    IHeaderDictionary IHttpResponseFeature.Headers { get => _appHeaders; set => _appHeaders = value; }

    Stream IHttpResponseFeature.Body { get => _appBody; set => _appBody = value; }

    bool IHttpResponseFeature.HasStarted => HasStarted;

    /// <summary>
    /// HTTP/1.1 trailers go after the last chunk, so they are offered while the response can still be (or is)
    /// chunked; read-only otherwise. Kestrel offers trailers on HTTP/2 and HTTP/3 only; this is EventCore's addition.
    /// </summary>
    IHeaderDictionary IHttpResponseTrailersFeature.Trailers
    {
        get
        {
            if (_appTrailers is { } replaced)
            {
                return replaced;
            }

            var trailers = _trailers ??= new ResponseTrailers { EncodingSelector = _encodingSelector };
            trailers.SetReadOnly(!_exchange.CanSendTrailers);
            return trailers;
        }

        set => _appTrailers = value;
    }

    void IHttpResponseFeature.OnStarting(Func<object, Task> callback, object state)
    {
        ThrowIfStarted(nameof(IHttpResponseFeature.OnStarting));
        _onStarting.Add(new(callback, state));
    }

    void IHttpResponseFeature.OnCompleted(Func<object, Task> callback, object state) => _onCompleted.Add(new(callback, state));

    internal void ThrowIfStarted(string what)
    {
        if (HasStarted)
        {
            throw new InvalidOperationException($"{what} cannot be set because the response has already started.");
        }
    }

    /// <summary>The exchange writes the head now: headers become read-only.</summary>
    internal void Start()
    {
        HasStarted = true;
        Headers.MakeReadOnly();
    }

    /// <summary>Whether the app may still add trailers (the exchange knows: framing, method, version, end).</summary>
    internal void SetTrailersReadOnly(bool readOnly) => _trailers?.SetReadOnly(readOnly);

    /// <summary>Ends a chunked body: last chunk, trailers, CRLF. Trailers become read-only.</summary>
    internal void WriteChunkedEnd(PipeWriter output)
    {
        ResponseTrailers.WriteChunkedEnd(output, _appTrailers ?? _trailers, _encodingSelector);
        _trailers?.SetReadOnly(true);
    }

    /// <summary>The app failed before the response started: an empty response with this status replaces what it set.</summary>
    internal void BecomeError(int statusCode)
    {
        _statusCode = statusCode;
        _reasonPhrase = null;
        Headers.Reset();
        Headers.ContentLength = 0;
        _onStarting.Clear();
    }

    /// <summary>An accepted upgrade: 101 with Connection: Upgrade (the app's other headers stay).</summary>
    internal void BecomeSwitchingProtocols()
    {
        _statusCode = StatusCodes.Status101SwitchingProtocols;
        _reasonPhrase = "Switching Protocols";
        Headers[Microsoft.Net.Http.Headers.HeaderNames.Connection] = Microsoft.Net.Http.Headers.HeaderNames.Upgrade;
    }

    /// <summary>Runs OnStarting callbacks, last registered first (Kestrel's order).</summary>
    internal async Task FireOnStartingAsync()
    {
        for (var i = _onStarting.Count - 1; i >= 0; i--)
        {
            var (callback, state) = _onStarting[i];
            await callback(state);
        }

        _onStarting.Clear();
    }

    /// <summary>Runs OnCompleted callbacks, last registered first; a failing callback is logged and the rest still run.</summary>
    internal async ValueTask FireOnCompletedAsync()
    {
        for (var i = _onCompleted.Count - 1; i >= 0; i--)
        {
            var (callback, state) = _onCompleted[i];
            try
            {
                await callback(state);
            }
            catch (Exception ex)
            {
                _exchange.ReportApplicationError(ex);
            }
        }

        _onCompleted.Clear();
    }

    /// <summary>For the next request: 200, no reason, empty headers, no callbacks or trailers, the server's body.</summary>
    internal void Reset()
    {
        Headers.Reset();
        _appHeaders = Headers;
        _appBody = _serverBody;
        _statusCode = StatusCodes.Status200OK;
        _reasonPhrase = null;
        HasStarted = false;
        _onStarting.Clear();
        _onCompleted.Clear();
        _trailers?.Reset();
        _appTrailers = null;
    }
}

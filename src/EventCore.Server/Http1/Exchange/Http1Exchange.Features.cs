using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Http1;

/// <summary>
/// The request-side features (request thread only). The request line, headers and body as the app sees and may change
/// them are ASP.NET's own <see cref="HttpRequestFeature"/>, set from the parsed head per request; the server decides by
/// the head (<see cref="RequestHead"/>), never by what the app changed there. The others are implemented here.
/// </summary>
internal abstract partial class Http1Exchange :
    IHttpRequestBodyDetectionFeature, IHttpConnectionFeature, IHttpRequestIdentifierFeature,
    IHttpMaxRequestBodySizeFeature, IHttpBodyControlFeature, IRequestBodyPipeFeature, IHttpRequestTrailersFeature
{
    private readonly HttpRequestFeature _request = new();
    private RequestHeaders? _trailers;
    private Stream? _requestBodyForPipe;
    private PipeReader? _requestBodyPipe;
    private RequestBodyStream _requestBodyStream = null!;
    private string? _traceIdentifier;
    private string? _connectionIdOverride;
    private IPAddress? _remoteIpAddress;
    private IPAddress? _localIpAddress;
    private int _remotePort;
    private int _localPort;
    private bool _connectionAddressesChanged = true; // the app set one, or another connection is served: read them again
    private long? _maxRequestBodySize;
    private bool _allowSynchronousIO;

    bool IHttpRequestBodyDetectionFeature.CanHaveBody => _head.BodyKind == RequestBodyKind.Chunked
        || (_head.BodyKind == RequestBodyKind.ContentLength && _head.ContentLength > 0);

    string IHttpConnectionFeature.ConnectionId { get => _connectionIdOverride ?? ConnectionId; set => _connectionIdOverride = value; }

    IPAddress? IHttpConnectionFeature.RemoteIpAddress { get => _remoteIpAddress; set => (_remoteIpAddress, _connectionAddressesChanged) = (value, true); }

    IPAddress? IHttpConnectionFeature.LocalIpAddress { get => _localIpAddress; set => (_localIpAddress, _connectionAddressesChanged) = (value, true); }

    int IHttpConnectionFeature.RemotePort { get => _remotePort; set => (_remotePort, _connectionAddressesChanged) = (value, true); }

    int IHttpConnectionFeature.LocalPort { get => _localPort; set => (_localPort, _connectionAddressesChanged) = (value, true); }

    /// <summary>"{ConnectionId}:{request number:X8}" like Kestrel; formatted on first use in each request.</summary>
    string IHttpRequestIdentifierFeature.TraceIdentifier
    {
        get => _traceIdentifier ??= CreateTraceIdentifier();
        set => _traceIdentifier = value;
    }

    /// <summary>"{ConnectionId}:{request number:X8}" (Kestrel's shape), hand-formatted: hosting reads it on every request.</summary>
    private string CreateTraceIdentifier()
        => string.Create(ConnectionId.Length + 9, (ConnectionId, (uint)Owner.RequestNumber), static (span, state) =>
        {
            state.ConnectionId.AsSpan().CopyTo(span);
            span[state.ConnectionId.Length] = ':';
            var digits = span[(state.ConnectionId.Length + 1)..];
            var number = state.Item2;
            for (var i = digits.Length - 1; i >= 0; i--, number >>= 4)
            {
                digits[i] = "0123456789ABCDEF"[(int)(number & 0xF)];
            }
        });

    bool IHttpMaxRequestBodySizeFeature.IsReadOnly => _bodyReader.HasStarted || _upgraded;

    long? IHttpMaxRequestBodySizeFeature.MaxRequestBodySize
    {
        get => _maxRequestBodySize;
        set
        {
            if (_bodyReader.HasStarted)
            {
                throw new InvalidOperationException("The maximum request body size cannot be modified after the app has already started reading from the request body.");
            }

            if (_upgraded)
            {
                throw new InvalidOperationException("The maximum request body size cannot be modified after the request has been upgraded.");
            }

            ArgumentOutOfRangeException.ThrowIfNegative(value ?? 0, nameof(value));
            _maxRequestBodySize = value;
        }
    }

    internal long? MaxRequestBodySize => _maxRequestBodySize;

    bool IHttpBodyControlFeature.AllowSynchronousIO { get => _allowSynchronousIO; set => _allowSynchronousIO = value; }

    internal bool AllowSynchronousIO => _allowSynchronousIO;

    /// <summary>Our zero-copy reader, unless the app replaced Request.Body (then a reader over its stream, like Kestrel).</summary>
    PipeReader IRequestBodyPipeFeature.Reader
    {
        get
        {
            var body = _request.Body;
            if (ReferenceEquals(body, _requestBodyStream))
            {
                return _bodyReader;
            }

            if (!ReferenceEquals(_requestBodyForPipe, body))
            {
                _requestBodyForPipe = body;
                _requestBodyPipe = PipeReader.Create(body, new StreamPipeReaderOptions(leaveOpen: true));
            }

            return _requestBodyPipe!;
        }
    }

    bool IHttpRequestTrailersFeature.Available => _bodyReader.IsComplete;

    IHeaderDictionary IHttpRequestTrailersFeature.Trailers => _bodyReader.IsComplete
        ? (IHeaderDictionary?)_trailers ?? HeaderDictionaryEmpty.Instance
        : throw new InvalidOperationException("The request trailers are not available yet. They may not be available until the full request body is read.");

    internal RequestHeaders Trailers => _trailers ??= new RequestHeaders { EncodingSelector = _service.Options.RequestHeaderEncodingSelector };

    private void InitializeFeatures()
    {
        _requestBodyStream = new RequestBodyStream(this, _bodyReader);
        _responseBodyWriter = new ResponseBodyWriter(this);
        _responseBodyStream = new ResponseBodyStream(this, _responseBodyWriter);
        _response = new Http1Response(this, _responseBodyStream, _service.Options.ResponseHeaderEncodingSelector);
    }

    /// <summary>A request was served since the last reset: taken again for the next one, the exchange is reset first.</summary>
    internal bool Served { get; private set; }

    /// <summary>The head is complete: its request line becomes the request feature's values; keep-alive and the body's framing are decided.</summary>
    internal void OnHeadComplete()
    {
        Served = true;
        _request.Method = _head.Method;
        _request.Protocol = _head.Protocol;
        _request.RawTarget = _head.RawTarget;
        _request.Path = _head.Path;
        _request.QueryString = _head.QueryString;
        _keepAlive = _head.KeepAliveRequested;
        _bodyReader.Reset(_head.BodyKind, _head.ContentLength);
    }

    /// <summary>
    /// The connection's addresses, read again only when they may differ from the ones held: after the app set one
    /// (forwarded headers do on every request behind a proxy) or when the exchange starts serving a connection.
    /// </summary>
    private void ResetConnectionAddresses()
    {
        if (!_connectionAddressesChanged)
        {
            return;
        }

        _connectionAddressesChanged = false;
        var remote = _connection.RemoteEndPoint as IPEndPoint;
        var local = _connection.LocalEndPoint as IPEndPoint;
        _remoteIpAddress = remote?.Address;
        _remotePort = remote?.Port ?? 0;
        _localIpAddress = local?.Address;
        _localPort = local?.Port ?? 0;
    }

    /// <summary>Per request: back to the parsed values; everything the app may have replaced is restored.</summary>
    internal void ResetRequest()
    {
        Served = false;
        _head.Reset();
        _continueSent = false;
        ResetFeatureCollection();
        _response.Reset();
        ResetResponseBody();
        ResetDataRates();
        _requestAbortedOverride = null;
        _request.Scheme = _owner?.Tls is null ? "http" : "https";
        _request.PathBase = string.Empty;
        _request.Headers = _head.Headers;
        _request.Body = _requestBodyStream;
        _requestBodyForPipe = null;
        _requestBodyPipe = null;
        _traceIdentifier = null;
        _connectionIdOverride = null;
        ResetConnectionAddresses();
        _maxRequestBodySize = Limits.MaxRequestBodySize;
        _allowSynchronousIO = _service.Options.AllowSynchronousIO;
        _trailers?.Reset();
    }

    /// <summary>An empty, read-only header dictionary for "no trailers".</summary>
    private sealed class HeaderDictionaryEmpty() : HeaderDictionary(ResponseHeaderNames.Names)
    {
        public static readonly HeaderDictionaryEmpty Instance = new();

        public override bool IsReadOnly => true;

        public override long? ContentLength { get => null; set => ThrowIfReadOnly(); }

        private protected override int Slot(string key) => ResponseHeaderNames.Slot(key);
    }
}

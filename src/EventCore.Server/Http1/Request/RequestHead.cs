using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace EventCore.Server.Http1;

/// <summary>
/// A request head as parsed: the request line, the fields (<see cref="Headers"/>), the body's framing and what the
/// client asked of the connection. Filled incrementally (a head may arrive over several reads; <see cref="Parse"/>
/// resumes where it stopped) and checked as it arrives; reset per request. The exchange copies the request line into
/// its request feature when the head completes, so what the app changes there never alters what the server decides by
/// (version, framing, connection options).
/// Thread rules: request thread only, like the exchange that owns it (one each, pooled with it).
/// </summary>
internal sealed class RequestHead
{
    private readonly HttpParser _parser;
    private readonly PathDecoder _pathDecoder = new();
    private HeaderParsingState _headerState;
    private RequestFraming _framing;
    private RequestRejection _pendingRejection;
    private RequestTargetForm _form;
    private bool _connectionClose;
    private bool _connectionKeepAlive;
    private string? _authority;
    private string? _validHost; // the last Host value the framing accepted (any connection: validity depends on the bytes only)
    private string _lastRawTarget = string.Empty;
    private string _lastQueryString = string.Empty;

    public RequestHead(HttpParser parser, Func<string, Encoding?>? encodingSelector)
    {
        _parser = parser;
        Headers = new RequestHeaders { EncodingSelector = encodingSelector };
    }

    /// <summary>The request's fields, known names in slots.</summary>
    public RequestHeaders Headers { get; }

    /// <summary>Whether the request line has been parsed (a FIN after it is a truncated request).</summary>
    public bool RequestLineDone { get; private set; }

    public string Method { get; private set; } = HttpMethods.Get;

    public HttpVersion Version { get; private set; }

    /// <summary>"HTTP/1.1" or "HTTP/1.0" (a later 1.x is served as 1.1).</summary>
    public string Protocol => Version == HttpVersion.Http10 ? HttpProtocol.Http10 : HttpProtocol.Http11;

    public string RawTarget { get; private set; } = string.Empty;

    /// <summary>The target's path, percent-decoded.</summary>
    public string Path { get; private set; } = string.Empty;

    /// <summary>The target's query with its "?", or empty.</summary>
    public string QueryString { get; private set; } = string.Empty;

    /// <summary>"Expect: 100-continue" was sent.</summary>
    public bool ExpectContinue { get; private set; }

    /// <summary>"Connection: upgrade" was sent.</summary>
    public bool ConnectionUpgrade { get; private set; }

    /// <summary>An Upgrade field was sent.</summary>
    public bool HasUpgradeHeader { get; private set; }

    /// <summary>How the body is delimited (set when the head completes).</summary>
    public RequestBodyKind BodyKind { get; private set; }

    /// <summary>The body's length when <see cref="BodyKind"/> is Content-Length.</summary>
    public long ContentLength { get; private set; }

    /// <summary>Whether the client lets the connection carry another request: HTTP/1.1 unless "close", HTTP/1.0 only with "keep-alive".</summary>
    public bool KeepAliveRequested => Version == HttpVersion.Http11 ? !_connectionClose : _connectionKeepAlive && !_connectionClose;

    /// <summary>Parses as much of the head as <paramref name="reader"/> holds; resumable across reads.</summary>
    public ParseResult Parse(ref SequenceReader<byte> reader, out RequestRejection rejection)
    {
        var handler = new Handler(this);
        if (!RequestLineDone)
        {
            var lineResult = _parser.ParseRequestLine(handler, ref reader, out rejection);
            if (lineResult != ParseResult.Complete)
            {
                return lineResult;
            }

            RequestLineDone = true;
        }

        var result = _parser.ParseHeaders(handler, ref reader, ref _headerState, out rejection);
        if (_pendingRejection != RequestRejection.None)
        {
            rejection = _pendingRejection;
            return ParseResult.Rejected;
        }

        if (result != ParseResult.Complete)
        {
            return result;
        }

        rejection = _framing.Complete(Version, _form, out var bodyKind, out var contentLength);
        if (rejection == RequestRejection.None)
        {
            rejection = RequestFraming.CheckHttp10Length(Version, Method, bodyKind);
        }

        if (rejection != RequestRejection.None)
        {
            return ParseResult.Rejected;
        }

        BodyKind = bodyKind;
        ContentLength = contentLength;
        if (_authority is not null && _form == RequestTargetForm.Absolute)
        {
            Headers.Replace(KnownHeader.Host, _authority); // RFC 9112 §3.2.2: an absolute-form target's authority is the Host
        }

        return ParseResult.Complete;
    }

    /// <summary>Ready for the next request's head (the fields' reuse entries stay: values repeat on keep-alive connections).</summary>
    public void Reset()
    {
        _headerState.Reset();
        _framing.Reset();
        _pendingRejection = RequestRejection.None;
        RequestLineDone = false;
        Method = HttpMethods.Get; // until a request line is parsed (a rejection before it is answered as to a GET)
        _connectionClose = _connectionKeepAlive = false;
        ConnectionUpgrade = HasUpgradeHeader = ExpectContinue = false;
        _authority = null;
        Headers.Reset();
    }

    private void OnRequestLine(in RequestLine line)
    {
        Method = line.Method;
        Version = line.Version;
        _form = line.Form;
        RawTarget = ReuseOrDecode(line.Target, ref _lastRawTarget);
        QueryString = line.Query.IsEmpty ? string.Empty : ReuseOrDecode(line.Query, ref _lastQueryString);
        Path = line.Path.IsEmpty ? string.Empty : _pathDecoder.Decode(line.Path) ?? Reject(RequestRejection.InvalidRequestTarget);
        _authority = line.Authority.IsEmpty ? null : Encoding.ASCII.GetString(line.Authority);
    }

    private void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var slot = Headers.Append(name, value);
        if (slot == (int)KnownHeader.Host)
        {
            OnHost(value);
            return;
        }

        var rejection = _framing.OnHeader(slot, value);
        if (rejection != RequestRejection.None)
        {
            Reject(rejection);
        }

        switch (slot)
        {
            case (int)KnownHeader.Connection:
                ParseConnectionTokens(value);
                break;
            case (int)KnownHeader.Expect:
                ExpectContinue |= Ascii.EqualsIgnoreCase(value, "100-continue"u8);
                break;
            case (int)KnownHeader.Upgrade:
                HasUpgradeHeader = true;
                break;
        }
    }

    /// <summary>
    /// A Host field. A keep-alive client repeats the same Host: bytes equal to the last value accepted (a compare) skip
    /// the grammar check (several searches); the count and emptiness are still checked.
    /// </summary>
    private void OnHost(ReadOnlySpan<byte> value)
    {
        var rejection = _framing.OnHeader((int)KnownHeader.Host, value, _validHost is { } valid && Ascii.Equals(value, valid));
        if (rejection != RequestRejection.None)
        {
            Reject(rejection);
        }
        else
        {
            // Valid Host bytes are ASCII, so the stored string is exactly these bytes.
            _validHost = Headers.LastAppendedValue;
        }
    }

    private void ParseConnectionTokens(ReadOnlySpan<byte> value)
    {
        foreach (var range in value.Split((byte)','))
        {
            var token = value[range].Trim(" \t"u8);
            _connectionClose |= Ascii.EqualsIgnoreCase(token, "close"u8);
            _connectionKeepAlive |= Ascii.EqualsIgnoreCase(token, "keep-alive"u8);
            ConnectionUpgrade |= Ascii.EqualsIgnoreCase(token, "upgrade"u8);
        }
    }

    /// <summary>Keeps the first rejection (the parser goes on to the end of the line); returns a placeholder value.</summary>
    private string Reject(RequestRejection rejection)
    {
        if (_pendingRejection == RequestRejection.None)
        {
            _pendingRejection = rejection;
        }

        return string.Empty;
    }

    private static string ReuseOrDecode(ReadOnlySpan<byte> bytes, ref string last)
        => Ascii.Equals(bytes, last) ? last : (last = RequestHeaders.Decode(bytes));

    /// <summary>Devirtualised parser callbacks (a struct handler gets its own generic instantiation).</summary>
    private readonly struct Handler(RequestHead head) : IHttpRequestLineHandler, IHttpHeadersHandler
    {
        public void OnRequestLine(in RequestLine requestLine) => head.OnRequestLine(requestLine);

        public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => head.OnHeader(name, value);
    }
}

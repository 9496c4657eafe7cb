using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using EventCore.Server.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace EventCore.Server.Http1;

/// <summary>Parsing the request head into the exchange's request fields; answering a refused one.</summary>
internal abstract partial class Http1Exchange
{
    private readonly PathDecoder _pathDecoder = new();
    private HeaderParsingState _headerState;
    private RequestFraming _requestFraming;
    private RequestRejection _pendingRejection;
    private bool _requestLineDone;
    private bool _connectionClose;
    private bool _connectionKeepAlive;
    private bool _connectionUpgrade;
    private bool _hasUpgradeHeader;
    private bool _expectContinue;
    private string? _authority;
    private string? _validHost; // the last Host value the framing accepted (any connection: validity depends on the bytes only)

    private HttpVersion _version;
    private RequestTargetForm _form;
    private RequestBodyKind _bodyKind;
    private long _requestContentLength;

    /// <summary>Whether the request line has been parsed (a FIN after it is a truncated request).</summary>
    internal bool RequestLineDone => _requestLineDone;

    /// <summary>Parses as much of the head as <paramref name="reader"/> holds; resumable across reads.</summary>
    internal ParseResult ParseHead(ref SequenceReader<byte> reader, out RequestRejection rejection)
    {
        var handler = new HeadHandler(this);
        if (!_requestLineDone)
        {
            var lineResult = _parser.ParseRequestLine(handler, ref reader, out rejection);
            if (lineResult != ParseResult.Complete)
            {
                return lineResult;
            }

            _requestLineDone = true;
        }

        var result = _parser.ParseHeaders(handler, ref reader, ref _headerState, out rejection);
        if (_pendingRejection != RequestRejection.None)
        {
            rejection = _pendingRejection;
            return ParseResult.Rejected;
        }

        if (result == ParseResult.Complete)
        {
            rejection = _requestFraming.Complete(_version, _form, out _bodyKind, out _requestContentLength);
            if (rejection == RequestRejection.None)
            {
                rejection = RequestFraming.CheckHttp10Length(_version, _method, _bodyKind);
            }

            return rejection == RequestRejection.None ? ParseResult.Complete : ParseResult.Rejected;
        }

        return result;
    }

    private void OnRequestLine(in RequestLine line)
    {
        _method = line.Method;
        _version = line.Version;
        _form = line.Form;
        _protocol = line.Version == HttpVersion.Http10 ? HttpProtocol.Http10 : HttpProtocol.Http11;
        _rawTarget = ReuseOrDecode(line.Target, ref _lastRawTarget);
        _queryString = line.Query.IsEmpty ? string.Empty : ReuseOrDecode(line.Query, ref _lastQueryString);
        _path = line.Path.IsEmpty ? string.Empty : _pathDecoder.Decode(line.Path) ?? Reject(RequestRejection.InvalidRequestTarget);
        _authority = line.Authority.IsEmpty ? null : Encoding.ASCII.GetString(line.Authority);
    }

    private void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var slot = _requestHeaders.Append(name, value);
        if (slot == (int)KnownHeader.Host)
        {
            OnHost(value);
            return;
        }

        var rejection = _requestFraming.OnHeader(slot, value);
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
                _expectContinue |= Ascii.EqualsIgnoreCase(value, "100-continue"u8);
                break;
            case (int)KnownHeader.Upgrade:
                _hasUpgradeHeader = true;
                break;
        }
    }

    /// <summary>
    /// A Host field. A keep-alive client repeats the same Host: bytes equal to the last value accepted (a compare) skip
    /// the grammar check (several searches); the count and emptiness are still checked.
    /// </summary>
    private void OnHost(ReadOnlySpan<byte> value)
    {
        var rejection = _requestFraming.OnHeader((int)KnownHeader.Host, value, _validHost is { } valid && Ascii.Equals(value, valid));
        if (rejection != RequestRejection.None)
        {
            Reject(rejection);
        }
        else
        {
            // Valid Host bytes are ASCII, so the stored string is exactly these bytes.
            _validHost = _requestHeaders.LastAppendedValue;
        }
    }

    private void ParseConnectionTokens(ReadOnlySpan<byte> value)
    {
        foreach (var range in value.Split((byte)','))
        {
            var token = value[range].Trim(" \t"u8);
            _connectionClose |= Ascii.EqualsIgnoreCase(token, "close"u8);
            _connectionKeepAlive |= Ascii.EqualsIgnoreCase(token, "keep-alive"u8);
            _connectionUpgrade |= Ascii.EqualsIgnoreCase(token, "upgrade"u8);
        }
    }

    /// <summary>The head is complete: keep-alive, the Host of an absolute-form target, the body's framing.</summary>
    internal void OnHeadComplete()
    {
        _keepAlive = _version == HttpVersion.Http11 ? !_connectionClose : _connectionKeepAlive && !_connectionClose;
        if (_authority is not null && _form == RequestTargetForm.Absolute)
        {
            _requestHeaders.Replace(KnownHeader.Host, _authority);
        }

        _bodyReader.Reset(_bodyKind, _requestContentLength);
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

    private void ResetHeadState()
    {
        _headerState.Reset();
        _requestFraming.Reset();
        _pendingRejection = RequestRejection.None;
        _requestLineDone = false;
        _connectionClose = _connectionKeepAlive = _connectionUpgrade = _hasUpgradeHeader = _expectContinue = _continueSent = false;
        _authority = null;
        _requestHeaders.Reset();
    }

    /// <summary>Devirtualised parser callbacks (a struct handler gets its own generic instantiation).</summary>
    private readonly struct HeadHandler(Http1Exchange exchange) : IHttpRequestLineHandler, IHttpHeadersHandler
    {
        public void OnRequestLine(in RequestLine requestLine) => exchange.OnRequestLine(requestLine);

        public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => exchange.OnHeader(name, value);
    }
}

using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using EventCore.Server.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace EventCore.Server.Http1;

/// <summary>Reading and parsing the request head; flushing the previous responses when no whole request is buffered.</summary>
internal abstract partial class Http1Connection
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

    private HttpVersion _version;
    private RequestTargetForm _form;
    private RequestBodyKind _bodyKind;
    private long _requestContentLength;

    /// <summary>
    /// Waits for and parses the next request head. Previous responses stay unflushed while a further complete request
    /// is already buffered (pipelining: one flush, one writev for the batch) and are flushed before waiting for bytes.
    /// Returns false when the connection should close (peer closed, rejected, timed out, shutting down).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadRequestHeadAsync()
    {
        ResetRequest();
        var needMoreData = false;
        var headStarted = false;
        while (true)
        {
            if (needMoreData || !_input.TryRead(out var result))
            {
                await FlushPendingAsync();
                if (_outputClosed)
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
            if (!headStarted && !buffer.IsEmpty)
            {
                headStarted = true;
                SetDeadline(DeadlineKind.RequestHeaders, Limits.RequestHeadersTimeout);
            }

            var reader = new SequenceReader<byte>(buffer);
            var status = ParseHead(ref reader, out var rejection);
            if (status == ParseResult.Complete)
            {
                _input.AdvanceTo(reader.Position);
                ClearDeadline();
                return OnHeadComplete();
            }

            _input.AdvanceTo(reader.Position, buffer.End);
            if (status == ParseResult.Rejected)
            {
                await RejectAsync(rejection);
                return false;
            }

            if (result.IsCompleted)
            {
                // FIN. Between requests it is a normal close; in the middle of a head it is a truncated request,
                // answered with 400 (Kestrel's way) in case the client only half-closed and still reads.
                if (_requestLineDone || !buffer.Slice(reader.Position).IsEmpty)
                {
                    await RejectAsync(RequestRejection.UnexpectedEndOfRequestHead);
                }

                return false;
            }

            needMoreData = true;
        }
    }

    private ValueTask<System.IO.Pipelines.ReadResult> WaitForHeadBytesAsync(bool headStarted)
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
            await RejectAsync(RequestRejection.RequestHeadersTimeout);
            return true;
        }

        return _closing && !headStarted;
    }

    private ParseResult ParseHead(ref SequenceReader<byte> reader, out RequestRejection rejection)
    {
        _isIdle = false;
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
        var rejection = _requestFraming.OnHeader(name, value);
        if (rejection != RequestRejection.None)
        {
            Reject(rejection);
        }

        var nameString = _requestHeaders.Append(name, value);
        if (ReferenceEquals(nameString, HeaderNames.Connection))
        {
            ParseConnectionTokens(value);
        }
        else if (ReferenceEquals(nameString, HeaderNames.Expect))
        {
            _expectContinue |= Ascii.EqualsIgnoreCase(value, "100-continue"u8);
        }
        else if (ReferenceEquals(nameString, HeaderNames.Upgrade))
        {
            _hasUpgradeHeader = true;
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

    private bool OnHeadComplete()
    {
        _requestNumber++;
        _keepAlive = _version == HttpVersion.Http11 ? !_connectionClose : _connectionKeepAlive && !_connectionClose;
        if (_authority is not null && _form == RequestTargetForm.Absolute)
        {
            _requestHeaders.Replace(HeaderNames.Host, _authority);
        }

        _bodyReader.Reset(_bodyKind, _requestContentLength);
        return true;
    }

    /// <summary>Answers a request the parser or a limit refused: status, Content-Length: 0, Connection: close.</summary>
    private async ValueTask RejectAsync(RequestRejection rejection)
    {
        var statusCode = rejection.StatusCode();
        _service.Metrics.BadRequest(rejection);
        EndReason.Set(Infrastructure.Metrics.ConnectionEndReasonExtensions.ToEndReason(rejection));
        ServerLog.BadRequest(_service.ConnectionLogger, ConnectionId, rejection.ToString(), statusCode);
        _keepAlive = false;
        ResponseWriter.WriteStatusLine(_output, statusCode, null);
        WriteServerHeaders();
        ResponseWriter.WriteHeader(_output, "Content-Length: "u8, "0"u8);
        ResponseWriter.WriteHeader(_output, "Connection: "u8, "close"u8);
        ResponseWriter.WriteCrlf(_output);
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
    private readonly struct HeadHandler(Http1Connection connection) : IHttpRequestLineHandler, IHttpHeadersHandler
    {
        public void OnRequestLine(in RequestLine requestLine) => connection.OnRequestLine(requestLine);

        public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => connection.OnHeader(name, value);
    }
}

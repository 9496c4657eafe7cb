using Microsoft.AspNetCore.Http;

namespace EventCore.Server.Http1;

/// <summary>How the request body is delimited (RFC 9112 §6.3).</summary>
internal enum RequestBodyKind : byte
{
    None,
    ContentLength,
    Chunked,
}

/// <summary>
/// Collects the framing-relevant fields of one request (Content-Length, Transfer-Encoding, Host) as the
/// headers are parsed, and decides the body framing when the section is complete. Reset per request.
/// </summary>
/// <remarks>
/// Strict on purpose (a lenient framing decision behind a proxy is a smuggling hole): Content-Length is a list of
/// <c>1*DIGIT</c> values that must all be equal ("5, 5" and repeated identical fields count as one, RFC 9110 §8.6);
/// Transfer-Encoding must end in one <c>chunked</c> and carry no other coding; both together are refused; exactly one
/// valid Host. The first rejection is remembered: <c>OnHeader</c> returns it and <see cref="Complete"/> returns
/// it again, so a caller may also ignore OnHeader's result and only look at Complete's.
/// </remarks>
internal partial struct RequestFraming
{
    private RequestRejection _rejection;
    private long _contentLength;
    private TransferCodings _codings;
    private byte _hostCount;
    private bool _hostIsEmpty;
    private bool _hasContentLength;

    /// <summary>A valid Content-Length field was received.</summary>
    public readonly bool HasContentLength => _hasContentLength;

    /// <summary>A Transfer-Encoding field was received (the connection must close after answering any rejection).</summary>
    public readonly bool HasTransferEncoding => _codings != TransferCodings.None;

    /// <summary>How many Host fields were received.</summary>
    public readonly int HostCount => _hostCount;

    public void Reset() => this = default;

    /// <summary>Called for every header field; validates Content-Length, Transfer-Encoding and Host values.</summary>
    /// <returns>The first rejection seen so far in this request (sticky), or <see cref="RequestRejection.None"/>.</returns>
    public RequestRejection OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => OnHeader(KnownHeaders.Slot(name), value);

    /// <summary>
    /// <see cref="OnHeader(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> for a name already looked up: its
    /// <see cref="KnownHeader"/> slot, or -1. <paramref name="validHost"/>: the caller knows these exact bytes to be a
    /// valid Host value (the same as one accepted before), so only the count is checked.
    /// </summary>
    public RequestRejection OnHeader(int slot, ReadOnlySpan<byte> value, bool validHost = false)
    {
        if (_rejection != RequestRejection.None)
        {
            return _rejection;
        }

        _rejection = slot switch
        {
            (int)KnownHeader.Host => OnHost(value, validHost),
            (int)KnownHeader.ContentLength => OnContentLength(value),
            (int)KnownHeader.TransferEncoding => OnTransferEncoding(value),
            _ => RequestRejection.None,
        };
        return _rejection;
    }

    /// <summary>After the header section: the body framing, or the rejection (TE with CL, missing Host in 1.1, …).</summary>
    /// <remarks>
    /// Order: the first field-level rejection; Host (missing in 1.1; empty with an absolute- or authority-form target,
    /// whose authority is the target URI's); Transfer-Encoding in HTTP/1.0 (RFC 9112 §6.1: faulty framing); TE with
    /// Content-Length; then the codings: chunked not last, or more than once → 400 (RFC 9112 §6.3: the length cannot be
    /// determined), another coding before a final chunked → 501.
    /// </remarks>
    public readonly RequestRejection Complete(HttpVersion version, RequestTargetForm form, out RequestBodyKind kind, out long contentLength)
    {
        kind = RequestBodyKind.None;
        contentLength = 0;
        RequestRejection rejection = _rejection != RequestRejection.None ? _rejection
            : _hostCount == 0 && version == HttpVersion.Http11 ? RequestRejection.MissingHost
            : _hostIsEmpty && form is RequestTargetForm.Absolute or RequestTargetForm.Authority ? RequestRejection.InvalidHost
            : HasTransferEncoding ? CheckTransferEncoding(version)
            : RequestRejection.None;
        if (rejection != RequestRejection.None)
        {
            return rejection;
        }

        kind = HasTransferEncoding ? RequestBodyKind.Chunked : HasContentLength ? RequestBodyKind.ContentLength : RequestBodyKind.None;
        contentLength = kind == RequestBodyKind.ContentLength ? _contentLength : 0;
        return RequestRejection.None;
    }

    /// <summary>
    /// An HTTP/1.0 POST or PUT must give a Content-Length: without chunked coding its body could only end with the
    /// connection, which must stay open to carry the answer (RFC 9112 §6.3 reads such a request's body as empty; Kestrel
    /// refuses it with 400, and so does EventCore, rather than hand the app an empty form).
    /// </summary>
    public static RequestRejection CheckHttp10Length(HttpVersion version, string method, RequestBodyKind kind)
        => version == HttpVersion.Http10 && kind == RequestBodyKind.None && (HttpMethods.IsPost(method) || HttpMethods.IsPut(method))
            ? RequestRejection.LengthRequiredHttp10
            : RequestRejection.None;

    private RequestRejection OnHost(ReadOnlySpan<byte> value, bool valid)
    {
        if (++_hostCount > 1)
        {
            return RequestRejection.MultipleHosts;
        }

        _hostIsEmpty = value.IsEmpty;
        return value.IsEmpty || valid || HttpCharacters.IsValidHostAndPort(value) ? RequestRejection.None : RequestRejection.InvalidHost;
    }

    /// <summary><c>Content-Length = 1#DIGIT</c> whose members (over every field) all have the same value.</summary>
    private RequestRejection OnContentLength(ReadOnlySpan<byte> value)
    {
        foreach (Range range in value.Split((byte)','))
        {
            if (!TryParseDecimal(HttpCharacters.TrimWhitespace(value[range]), out long length))
            {
                return RequestRejection.InvalidContentLength;
            }

            if (HasContentLength && length != _contentLength)
            {
                return RequestRejection.MultipleContentLengths;
            }

            _contentLength = length;
            _hasContentLength = true;
        }

        return RequestRejection.None;
    }

    /// <summary><c>1*DIGIT</c>, no sign, no spaces, at most <see cref="long.MaxValue"/>.</summary>
    private static bool TryParseDecimal(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        if (!HttpCharacters.IsDigits(digits))
        {
            return false;
        }

        foreach (byte b in digits)
        {
            int digit = b - '0';
            if (value > (long.MaxValue - digit) / 10)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }

    private readonly RequestRejection CheckTransferEncoding(HttpVersion version)
        => version == HttpVersion.Http10 ? RequestRejection.TransferEncodingInHttp10
        : HasContentLength ? RequestRejection.ContentLengthWithTransferEncoding
        : (_codings & TransferCodings.ChunkedIsLast) == 0 || (_codings & TransferCodings.ChunkedTwice) != 0 ? RequestRejection.ChunkedNotFinalCoding
        : (_codings & TransferCodings.Other) != 0 ? RequestRejection.UnsupportedTransferCoding
        : RequestRejection.None;
}

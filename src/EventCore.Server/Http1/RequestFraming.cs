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
internal struct RequestFraming
{
    public void Reset() => this = default;

    /// <summary>Called for every header field; validates Content-Length, Transfer-Encoding and Host values.</summary>
    public RequestRejection OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => throw new NotImplementedException();

    /// <summary>After the header section: the body framing, or the rejection (TE with CL, missing Host in 1.1, …).</summary>
    public readonly RequestRejection Complete(HttpVersion version, RequestTargetForm form, out RequestBodyKind kind, out long contentLength)
        => throw new NotImplementedException();
}

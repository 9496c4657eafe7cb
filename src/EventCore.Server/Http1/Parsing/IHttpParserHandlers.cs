namespace EventCore.Server.Http1;

/// <summary>Receives the request line from <see cref="HttpParser"/>.</summary>
internal interface IHttpRequestLineHandler
{
    void OnRequestLine(in RequestLine requestLine);
}

/// <summary>Receives header (and trailer) fields. Names are validated tokens, values have OWS trimmed.</summary>
internal interface IHttpHeadersHandler
{
    void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value);
}

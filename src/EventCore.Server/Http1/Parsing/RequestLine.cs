namespace EventCore.Server.Http1;

/// <summary>
/// A parsed request line. The spans point into the read buffer (or the parser's scratch copy when
/// the line crossed buffer segments) and are valid only during <see cref="IHttpRequestLineHandler.OnRequestLine"/>.
/// </summary>
internal readonly ref struct RequestLine
{
    /// <summary>The method; a cached string (<c>HttpMethods.Get</c> …) for the standard methods.</summary>
    public required string Method { get; init; }

    public required HttpVersion Version { get; init; }

    public required RequestTargetForm Form { get; init; }

    /// <summary>The request-target exactly as sent.</summary>
    public required ReadOnlySpan<byte> Target { get; init; }

    /// <summary>The path: origin-form up to '?', absolute-form's path ("/" when empty); empty for authority and asterisk forms.</summary>
    public required ReadOnlySpan<byte> Path { get; init; }

    /// <summary>The query including its leading '?', or empty.</summary>
    public required ReadOnlySpan<byte> Query { get; init; }

    /// <summary>The authority of an absolute-form or authority-form target (it wins over Host), else empty.</summary>
    public required ReadOnlySpan<byte> Authority { get; init; }
}

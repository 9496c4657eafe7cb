namespace EventCore.Server.Http1;

/// <summary>The protocol versions EventCore serves. HTTP/1.x with x &gt; 1 is served as 1.1.</summary>
internal enum HttpVersion : byte
{
    Http10,
    Http11,
}

/// <summary>The four request-target forms of RFC 9112 §3.2.</summary>
internal enum RequestTargetForm : byte
{
    Origin,
    Absolute,
    Authority,
    Asterisk,
}

namespace EventCore.Cgi.Execution;

/// <summary>The header block a script wrote (RFC 3875 §6.3), as parsed by <see cref="CgiHeaderParser"/>.</summary>
internal sealed class CgiResponseHead
{
    /// <summary>The <c>Status</c> field's code, if the script sent one.</summary>
    public int? Status { get; set; }

    /// <summary>The reason phrase after the <c>Status</c> code, if any (sent as the status line's phrase).</summary>
    public string? Reason { get; set; }

    public string? Location { get; set; }

    public string? ContentType { get; set; }

    public long? ContentLength { get; set; }

    /// <summary>Every other field, in order (a name may repeat, e.g. Set-Cookie).</summary>
    public List<KeyValuePair<string, string>> Fields { get; } = [];

    /// <summary>Fields left out, with why (hop-by-hop fields, values that are not ASCII), for the log.</summary>
    public List<string> Dropped { get; } = [];

    /// <summary>Number of field lines read (including dropped ones).</summary>
    public int FieldCount { get; set; }

    /// <summary>
    /// RFC 3875 §6.2.2: <c>Location</c> with an abs-path (not "//host") and no <c>Status</c> asks the server to serve
    /// that path itself. (With a Status, as php-cgi writes for <c>header("Location: /x")</c>, it goes to the client.)
    /// </summary>
    public bool IsLocalRedirect => Status is null && Location is ['/', ..] && !Location.StartsWith("//", StringComparison.Ordinal);
}

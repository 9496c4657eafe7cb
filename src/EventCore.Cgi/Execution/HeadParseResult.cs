namespace EventCore.Cgi.Execution;

/// <summary>What <see cref="CgiHeaderParser.Parse"/> found.</summary>
internal enum HeadParseResult
{
    /// <summary>No complete block yet: read more output.</summary>
    NeedMoreData,

    /// <summary>The block ended with an empty line; the body follows.</summary>
    Complete,

    /// <summary>Not a CGI header block (<see cref="CgiHeaderParser.Error"/> says why): 502.</summary>
    Invalid,
}

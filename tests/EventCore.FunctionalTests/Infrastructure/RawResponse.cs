using System.Text;

namespace EventCore.FunctionalTests.Infrastructure;

/// <summary>One HTTP/1.x response as read off the wire by <see cref="RawConnection"/>.</summary>
public sealed class RawResponse
{
    internal RawResponse(string version, int statusCode, string reasonPhrase, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Version = version;
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Headers = headers;
    }

    /// <summary>The protocol version of the status line, e.g. <c>HTTP/1.1</c>.</summary>
    public string Version { get; }

    /// <summary>The status code.</summary>
    public int StatusCode { get; }

    /// <summary>The reason phrase (may be empty).</summary>
    public string ReasonPhrase { get; }

    /// <summary>Header fields in wire order, names as sent.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The body, de-chunked when the response was chunked.</summary>
    public byte[] Body { get; internal set; } = [];

    /// <summary>Whether the body was framed with chunked transfer coding.</summary>
    public bool IsChunked { get; internal set; }

    /// <summary>Whether the body was delimited by the server closing the connection.</summary>
    public bool IsCloseDelimited { get; internal set; }

    /// <summary>The body as UTF-8 text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>All values of the named field (case-insensitive), in order.</summary>
    public IEnumerable<string> GetValues(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>The single value of the named field, or null when absent; fails when it appears more than once.</summary>
    public string? this[string name] => GetValues(name).ToList() switch
    {
        [] => null,
        [var value] => value,
        var values => throw new InvalidOperationException($"Header '{name}' appears {values.Count} times: {string.Join(" | ", values)}"),
    };

    /// <summary>Whether a <c>Connection</c> field lists the given option (e.g. <c>close</c>).</summary>
    public bool HasConnectionOption(string option) =>
        GetValues("Connection").SelectMany(v => v.Split(',')).Any(o => string.Equals(o.Trim(), option, StringComparison.OrdinalIgnoreCase));

    /// <summary>The response head, for assertion messages.</summary>
    public override string ToString() =>
        $"{Version} {StatusCode} {ReasonPhrase}\n" + string.Concat(Headers.Select(h => $"{h.Key}: {h.Value}\n")) + $"[{Body.Length} body bytes]";
}

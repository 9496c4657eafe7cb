using EventCore.Server.Http1;

namespace EventCore.Microbenchmarks;

/// <summary>
/// A parser handler that does the minimum a real one must (look at every byte it is given), so the
/// benchmark measures the parser, not a feature collection.
/// </summary>
internal sealed class CountingHandler : IHttpRequestLineHandler, IHttpHeadersHandler
{
    public int Requests { get; private set; }

    public int Headers { get; private set; }

    public int Bytes { get; private set; }

    public void OnRequestLine(in RequestLine requestLine)
    {
        Requests++;
        Bytes += requestLine.Target.Length + requestLine.Method.Length;
    }

    public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Headers++;
        Bytes += name.Length + value.Length;
    }

    /// <summary>Calls the handler through a struct, like the server's handler (see <see cref="ParsingBenchmarks"/>).</summary>
    internal readonly struct Struct(CountingHandler handler) : IHttpRequestLineHandler, IHttpHeadersHandler
    {
        public void OnRequestLine(in RequestLine requestLine) => handler.OnRequestLine(requestLine);

        public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => handler.OnHeader(name, value);
    }
}

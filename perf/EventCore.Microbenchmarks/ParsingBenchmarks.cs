using System.Buffers;
using BenchmarkDotNet.Attributes;
using EventCore.Server.Http1;

namespace EventCore.Microbenchmarks;

/// <summary>
/// Request-head parsing through <see cref="HttpParser"/>: request line and header section, for the shapes a
/// server meets. Steady state must not allocate (MemoryDiagnoser's Allocated column: "-").
/// </summary>
[MemoryDiagnoser]
public class ParsingBenchmarks
{
    private readonly HttpParser _parser = new(HttpParserLimits.Default);
    // A struct wrapper, as the server's own handler is: the parser's generic methods are then specialised for it
    // (a class handler would run the shared generic code, with a dictionary lookup per call, which the server never does).
    private readonly CountingHandler.Struct _handler = new(new CountingHandler());
    private readonly HeadersHandler _headersHandler = new(new RequestHeaders());
    private readonly ReadOnlySequence<byte> _techEmpower = new(RequestSamples.TechEmpower);
    private readonly ReadOnlySequence<byte> _browser = new(RequestSamples.Browser);
    private readonly ReadOnlySequence<byte> _pipelined = new(RequestSamples.Pipelined);
    private readonly ReadOnlySequence<byte> _browserTwoSegments = RequestSamples.TwoSegments(RequestSamples.Browser, RequestSamples.Browser.Length / 2);

    /// <summary>The TechEmpower plaintext request (4 lines), in one buffer.</summary>
    [Benchmark(Baseline = true)]
    public int TechEmpower() => ParseAll(_techEmpower);

    /// <summary>A Chrome page load (17 header fields, a cookie), in one buffer.</summary>
    [Benchmark]
    public int Browser() => ParseAll(_browser);

    /// <summary>16 pipelined TechEmpower requests in one buffer; reported per request.</summary>
    [Benchmark(OperationsPerInvoke = RequestSamples.PipelineDepth)]
    public int Pipelined16() => ParseAll(_pipelined);

    /// <summary>The browser request split across two buffer segments mid-header (the parser's copy path).</summary>
    [Benchmark]
    public int BrowserTwoSegments() => ParseAll(_browserTwoSegments);

    /// <summary>
    /// <see cref="Pipelined16"/> storing each field in <see cref="RequestHeaders"/> as the server does (known-name slots,
    /// the previous request's strings reused): the parser and the header store together; reported per request.
    /// </summary>
    [Benchmark(OperationsPerInvoke = RequestSamples.PipelineDepth)]
    public int Pipelined16IntoHeaders() => ParseAll(_pipelined, _headersHandler);

    private int ParseAll(ReadOnlySequence<byte> buffer) => ParseAll(buffer, _handler);

    private int ParseAll<THandler>(ReadOnlySequence<byte> buffer, THandler handler)
        where THandler : IHttpRequestLineHandler, IHttpHeadersHandler
    {
        var reader = new SequenceReader<byte>(buffer);
        var requests = 0;
        while (!reader.End)
        {
            if (_parser.ParseRequestLine(handler, ref reader, out var rejection) != ParseResult.Complete)
            {
                SampleFailure.Throw("request", rejection);
            }

            var state = default(HeaderParsingState);
            if (_parser.ParseHeaders(handler, ref reader, ref state, out rejection) != ParseResult.Complete)
            {
                SampleFailure.Throw("request", rejection);
            }

            requests++;
        }

        return requests;
    }

    /// <summary>Stores the fields of each request in one <see cref="RequestHeaders"/>, reset at every request line.</summary>
    private readonly struct HeadersHandler(RequestHeaders headers) : IHttpRequestLineHandler, IHttpHeadersHandler
    {
        public void OnRequestLine(in RequestLine requestLine) => headers.Reset();

        public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => headers.Append(name, value);
    }
}

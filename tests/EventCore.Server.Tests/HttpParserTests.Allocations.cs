using System.Buffers;
using EventCore.Server.Http1;
using static EventCore.Server.Tests.ParserTestSupport;

namespace EventCore.Server.Tests;

/// <summary>Zero allocation for the whole parse of typical requests (DESIGN.md §4).</summary>
public partial class HttpParserTests
{
    private const string TechEmpowerRequest =
        "GET /plaintext HTTP/1.1\r\n" +
        "Host: server\r\n" +
        "Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\n" +
        "Connection: keep-alive\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0\r\n" +
        "\r\n";

    private const string PostRequest =
        "POST /api/items?page=2 HTTP/1.1\r\n" +
        "Host: localhost:5000\r\n" +
        "Content-Type: application/json\r\n" +
        "Content-Length: 13\r\n" +
        "\r\n" +
        "{\"name\":\"a\"}\n";

    [Fact]
    public void Parsing_a_TechEmpower_request_allocates_nothing()
        => AssertNoAllocation(new ReadOnlySequence<byte>(Bytes(TechEmpowerRequest)), expectedRequests: 1);

    [Fact]
    public void Parsing_a_16_request_pipelined_batch_allocates_nothing()
        => AssertNoAllocation(new ReadOnlySequence<byte>(Bytes(string.Concat(Enumerable.Repeat(TechEmpowerRequest, 16)))), expectedRequests: 16);

    [Fact]
    public void Parsing_lines_that_cross_segments_allocates_nothing()
    {
        byte[] input = Bytes(string.Concat(Enumerable.Repeat(TechEmpowerRequest, 4)));
        ReadOnlySequence<byte> sequence = Sequence(input.AsMemory(0, 10), input.AsMemory(10, 90), input.AsMemory(100, 213), input.AsMemory(313));

        AssertNoAllocation(sequence, expectedRequests: 4);
    }

    [Fact]
    public void Parsing_a_request_with_a_content_length_body_framing_allocates_nothing()
        => AssertNoAllocation(new ReadOnlySequence<byte>(Bytes(PostRequest)), expectedRequests: 1, bodyLength: 13);

    private static void AssertNoAllocation(ReadOnlySequence<byte> input, int expectedRequests, long bodyLength = 0)
    {
        var parser = new HttpParser(HttpParserLimits.Default);
        var handler = new FramingHandler();
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(expectedRequests, ParseAll(parser, handler, input, bodyLength));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int parsed = 0;
        for (int i = 0; i < 1000; i++)
        {
            parsed += ParseAll(parser, handler, input, bodyLength);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(1000 * expectedRequests, parsed);
    }

    /// <summary>Parses every request head in the buffer (skipping Content-Length bodies) as a connection would.</summary>
    private static int ParseAll(HttpParser parser, FramingHandler handler, ReadOnlySequence<byte> input, long bodyLength)
    {
        var reader = new SequenceReader<byte>(input);
        int requests = 0;
        while (!reader.End)
        {
            handler.Reset();
            HeaderParsingState state = default;
            if (parser.ParseRequestLine(handler, ref reader, out _) != ParseResult.Complete
                || parser.ParseHeaders(handler, ref reader, ref state, out _) != ParseResult.Complete
                || handler.Framing.Complete(handler.Version, handler.Form, out _, out long length) != RequestRejection.None
                || length != bodyLength)
            {
                return -1;
            }

            reader.Advance(length);
            requests++;
        }

        return requests;
    }

    /// <summary>What a connection keeps per request, without recording strings.</summary>
    private sealed class FramingHandler : IHttpRequestLineHandler, IHttpHeadersHandler
    {
        public RequestFraming Framing;

        public HttpVersion Version { get; private set; }

        public RequestTargetForm Form { get; private set; }

        public void Reset() => Framing.Reset();

        public void OnRequestLine(in RequestLine requestLine) => (Version, Form) = (requestLine.Version, requestLine.Form);

        public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => Framing.OnHeader(name, value);
    }
}

using System.Buffers;
using BenchmarkDotNet.Attributes;
using EventCore.Server.Http1;

namespace EventCore.Microbenchmarks;

/// <summary>Decoding a whole chunked request body through <see cref="ChunkedDecoder"/> (data is handed out, not copied).</summary>
[MemoryDiagnoser]
public class ChunkedDecodingBenchmarks
{
    private readonly ChunkedDecoder _decoder = new(new HttpParser(HttpParserLimits.Default));
    private readonly CountingHandler _trailers = new();
    private readonly ReadOnlySequence<byte> _fourKilobyteChunks = new(RequestSamples.ChunkedBody(4, 1024));
    private readonly ReadOnlySequence<byte> _smallChunks = new(RequestSamples.ChunkedBody(64, 16));
    private readonly ReadOnlySequence<byte> _twoSegments;

    public ChunkedDecodingBenchmarks()
    {
        var body = RequestSamples.ChunkedBody(4, 1024);
        _twoSegments = RequestSamples.TwoSegments(body, body.Length / 2);
    }

    /// <summary>4 chunks of 1 KiB: framing cost next to data.</summary>
    [Benchmark(Baseline = true)]
    public long FourChunksOf1KiB() => DecodeAll(_fourKilobyteChunks);

    /// <summary>64 chunks of 16 bytes: the size-line parser dominates.</summary>
    [Benchmark]
    public long SixtyFourChunksOf16Bytes() => DecodeAll(_smallChunks);

    /// <summary>4 chunks of 1 KiB split across two buffer segments.</summary>
    [Benchmark]
    public long FourChunksTwoSegments() => DecodeAll(_twoSegments);

    private long DecodeAll(ReadOnlySequence<byte> body)
    {
        _decoder.Reset();
        var reader = new SequenceReader<byte>(body);
        long total = 0;
        while (true)
        {
            switch (_decoder.Decode(ref reader, _trailers, out var data, out var rejection))
            {
                case ChunkedStatus.Data:
                    total += data.Length;
                    break;
                case ChunkedStatus.Complete:
                    return total;
                default:
                    SampleFailure.Throw("body", rejection);
                    break;
            }
        }
    }
}

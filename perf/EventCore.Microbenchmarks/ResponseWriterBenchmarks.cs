using System.Buffers;
using BenchmarkDotNet.Attributes;
using EventCore.Server.Http1;

namespace EventCore.Microbenchmarks;

/// <summary>Writing a response head through <see cref="ResponseWriter"/>, as the server does for /plaintext.</summary>
[MemoryDiagnoser]
public class ResponseWriterBenchmarks
{
    private static readonly byte[] s_date = "Mon, 23 Nov 2026 19:00:00 GMT"u8.ToArray();
    private readonly ArrayBufferWriter<byte> _output = new(4096);

    /// <summary>Status line, Content-Length, Content-Type, Server and Date: the plaintext response head.</summary>
    [Benchmark]
    public int PlaintextHead()
    {
        _output.ResetWrittenCount();
        ResponseWriter.WriteStatusLine(_output, 200, null);
        ResponseWriter.WriteNumberHeader(_output, "Content-Length: "u8, 13);
        ResponseWriter.WriteHeader(_output, "Content-Type", "text/plain");
        ResponseWriter.WriteHeader(_output, "Server: "u8, "EventCore"u8);
        ResponseWriter.WriteHeader(_output, "Date: "u8, s_date);
        ResponseWriter.WriteCrlf(_output);
        return _output.WrittenCount;
    }

    /// <summary>A chunk prefix (hex size + CRLF) for a 4 KiB chunk.</summary>
    [Benchmark]
    public int ChunkPrefix()
    {
        _output.ResetWrittenCount();
        var width = ResponseWriter.HexWidth(4096);
        ResponseWriter.WriteChunkPrefix(_output.GetSpan(ResponseWriter.MaxChunkPrefixLength), 4096, width);
        _output.Advance(width + 2);
        return _output.WrittenCount;
    }
}

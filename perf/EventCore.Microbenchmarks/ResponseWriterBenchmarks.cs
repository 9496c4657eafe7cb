using System.Buffers;
using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using EventCore.Server.Http1;

namespace EventCore.Microbenchmarks;

/// <summary>Writing a response head through <see cref="HeadWriter"/>, as the server does for /plaintext, and chunk framing.</summary>
[MemoryDiagnoser]
public class ResponseWriterBenchmarks
{
    private static readonly byte[] s_dateLine = "Date: Mon, 23 Nov 2026 19:00:00 GMT\r\n"u8.ToArray();
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
    private readonly ResponseHeaders _headers = new();
    private readonly ArrayPipeWriter _arrayWriter = new(4096);

    [GlobalSetup]
    public void Setup()
    {
        _headers.ContentLength = 13;
        _headers["Content-Type"] = "text/plain";
    }

    /// <summary>
    /// The plaintext response head as CommitHead writes it (status line, the app's Content-Length and Content-Type,
    /// Date, Server, CRLF) through <see cref="HeadWriter"/> into a pipe, then flushed and read away so the next
    /// iteration starts alike (the flush and read are part of the number).
    /// </summary>
    [Benchmark]
    public async Task<long> PlaintextHead()
    {
        WriteHead();
        await _pipe.Writer.FlushAsync();
        _pipe.Reader.TryRead(out var read);
        var length = read.Buffer.Length;
        _pipe.Reader.AdvanceTo(read.Buffer.End);
        return length;
    }

    /// <summary>The same head written 16 times into a reused buffer: the head writing alone, no pipe segments nor flush.</summary>
    [Benchmark(OperationsPerInvoke = 16)]
    public int PlaintextHeadOnly()
    {
        _arrayWriter.Reset();
        for (var i = 0; i < 16; i++)
        {
            WriteHead(_arrayWriter);
        }

        return _arrayWriter.Written;
    }

    /// <summary>
    /// A plaintext response's headers from the start, 16 times into a reused buffer: the reset between requests, the
    /// app setting Content-Type and Content-Length (as Results.Text and the sample's endpoint do), the head written.
    /// </summary>
    [Benchmark(OperationsPerInvoke = 16)]
    public int PlaintextHeadersSetAndWritten()
    {
        _arrayWriter.Reset();
        for (var i = 0; i < 16; i++)
        {
            _headers.Reset();
            _headers["Content-Type"] = "text/plain";
            _headers.ContentLength = 13;
            WriteHead(_arrayWriter);
        }

        return _arrayWriter.Written;
    }

    private void WriteHead() => WriteHead(_pipe.Writer);

    private void WriteHead(PipeWriter output)
    {
        var head = new HeadWriter(output, 256);
        head.Write(ResponseWriter.StatusLine(200, null));
        head.WriteFields(_headers);
        head.Write(s_dateLine);
        head.Write("Server: EventCore\r\n"u8);
        head.Write("\r\n"u8);
        head.Commit();
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

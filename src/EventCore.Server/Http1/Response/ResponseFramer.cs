using System.Buffers;
using System.IO.Pipelines;

namespace EventCore.Server.Http1;

/// <summary>How the response body is delimited on the wire, decided when the head is written.</summary>
internal enum ResponseFraming : byte
{
    /// <summary>No body may follow (HEAD, 1xx, 204, 304): HEAD writes are dropped, others throw.</summary>
    NoBody,
    ContentLength,
    Chunked,

    /// <summary>HTTP/1.0 without Content-Length: the body ends when the connection closes.</summary>
    CloseDelimited,

    /// <summary>Bytes pass through as written: after an upgrade.</summary>
    Raw,
}

/// <summary>
/// Puts a response body on the wire in the framing its head chose: chunk framing around each write (or around the
/// memory handed to the app, with room kept for the prefix and the CRLF), bytes as they are otherwise; and counts
/// what was written and not yet flushed. What may be written (HEAD, Content-Length, a completed body) is the
/// exchange's decision, made before calling here. One per exchange, reset per response.
/// Thread rules: request thread only.
/// </summary>
internal sealed class ResponseFramer
{
    private Memory<byte> _chunkMemory;
    private int _chunkPrefixLength;

    public ResponseFraming Framing { get; private set; }

    /// <summary>The response's Content-Length, or -1.</summary>
    public long DeclaredLength { get; private set; } = -1;

    /// <summary>Body bytes written (or, for HEAD and sendfile, accounted for).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Body bytes written since the last flush: across responses, as a pipelined batch shares one flush.</summary>
    public long Unflushed { get; private set; }

    /// <summary>A Content-Length body whose every byte is written.</summary>
    public bool IsLengthComplete => Framing == ResponseFraming.ContentLength && BytesWritten == DeclaredLength;

    /// <summary>The head was written with this framing.</summary>
    public void Start(ResponseFraming framing, long declaredLength)
    {
        Framing = framing;
        DeclaredLength = declaredLength;
    }

    public void Write(PipeWriter output, ReadOnlySpan<byte> data)
    {
        if (Framing == ResponseFraming.Chunked)
        {
            var width = ResponseWriter.HexWidth(data.Length);
            ResponseWriter.WriteChunkPrefix(output.GetSpan(ResponseWriter.MaxChunkPrefixLength), data.Length, width);
            output.Advance(width + 2);
            output.Write(data);
            ResponseWriter.WriteCrlf(output);
        }
        else
        {
            output.Write(data);
        }

        OnWritten(data.Length);
    }

    /// <summary>Memory for the app to write body bytes into; chunked: inside a chunk, framed by <see cref="Advance"/>.</summary>
    public Memory<byte> GetMemory(PipeWriter output, int sizeHint)
    {
        if (Framing != ResponseFraming.Chunked)
        {
            return output.GetMemory(sizeHint);
        }

        var memory = output.GetMemory(Math.Max(sizeHint, 1) + ResponseWriter.MaxChunkPrefixLength + 2);
        _chunkMemory = memory;
        _chunkPrefixLength = ResponseWriter.HexWidth(memory.Length) + 2;
        return memory[_chunkPrefixLength..^2];
    }

    /// <summary>The app wrote <paramref name="count"/> bytes (more than none) into the memory of <see cref="GetMemory"/>.</summary>
    public void Advance(PipeWriter output, int count)
    {
        if (Framing == ResponseFraming.Chunked)
        {
            var span = _chunkMemory.Span;
            ResponseWriter.WriteChunkPrefix(span, count, _chunkPrefixLength - 2);
            span[_chunkPrefixLength + count] = (byte)'\r';
            span[_chunkPrefixLength + count + 1] = (byte)'\n';
            output.Advance(_chunkPrefixLength + count + 2);
            _chunkMemory = default;
        }
        else
        {
            output.Advance(count);
        }

        OnWritten(count);
    }

    /// <summary>Body bytes that went out another way (sendfile) or nowhere (a HEAD response's).</summary>
    public void CountSent(long count) => BytesWritten += count;

    /// <summary>The output was flushed.</summary>
    public void OnFlushed() => Unflushed = 0;

    /// <summary>For the next response (<see cref="Unflushed"/> carries on until a flush).</summary>
    public void Reset()
    {
        Framing = ResponseFraming.NoBody;
        DeclaredLength = -1;
        BytesWritten = 0;
        _chunkMemory = default;
    }

    private void OnWritten(int count)
    {
        BytesWritten += count;
        Unflushed += count;
    }
}

using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;

namespace EventCore.Server.Tls;

/// <summary>
/// The decrypted side of a TLS connection as pipes, what the HTTP/1.1 connection reads and writes instead of the
/// transport's (Kestrel's SslDuplexPipe). Zero-byte reads: an idle keep-alive connection holds no read buffer.
/// </summary>
internal sealed class SslDuplexPipe(SslStream stream, MemoryPool<byte> pool) : IDuplexPipe
{
    public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(
        pool, bufferSize: pool.MaxBufferSize, minimumReadSize: Math.Min(1024, pool.MaxBufferSize), leaveOpen: true, useZeroByteReads: true));

    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(pool, minimumBufferSize: pool.MaxBufferSize, leaveOpen: true));
}

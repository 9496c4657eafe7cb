namespace EventCore.Server.Http1;

/// <summary>Shared shape of the one-direction body streams (request: read-only, response: write-only).</summary>
internal abstract class BodyStream : Stream
{
    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Kestrel's message, so apps see the same failure when they do synchronous I/O.</summary>
    protected static void ThrowIfSynchronousIODisallowed(Http1Exchange connection, string asyncAlternative = "WriteAsync")
    {
        if (!connection.AllowSynchronousIO)
        {
            throw new InvalidOperationException($"Synchronous operations are disallowed. Call {asyncAlternative} or set AllowSynchronousIO to true instead.");
        }
    }
}

internal abstract class WriteOnlyStream : BodyStream
{
    public override bool CanRead => false;

    public override bool CanWrite => true;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

internal abstract class ReadOnlyStream : BodyStream
{
    public override bool CanRead => true;

    public override bool CanWrite => false;

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }
}

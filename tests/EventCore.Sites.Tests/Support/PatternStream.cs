namespace EventCore.Sites.Tests.Support;

/// <summary>A read-only stream of <c>length</c> bytes made as it is read (<see cref="At"/>): large bodies without large arrays.</summary>
internal abstract class PatternStreamBase(long length) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    protected abstract byte At(long position);

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = (int)Math.Min(count, length - _position);
        for (var i = 0; i < n; i++)
        {
            buffer[offset + i] = At(_position + i);
        }

        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>0, 1, ... 250, 0, ...</summary>
internal sealed class PatternStream(long length) : PatternStreamBase(length)
{
    protected override byte At(long position) => (byte)(position % 251);
}

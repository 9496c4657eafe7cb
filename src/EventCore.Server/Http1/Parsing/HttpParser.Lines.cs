using System.Buffers;

namespace EventCore.Server.Http1;

/// <summary>
/// Line access shared by the head parser and the chunked decoder: a bounded LF search over the unread bytes (the
/// fast path stays in the current span) and a contiguous view of a line that crosses segments.
/// </summary>
internal sealed partial class HttpParser
{
    /// <summary>A line that crosses segments and is at most this long is copied to the stack, a longer one to a pooled array.</summary>
    internal const int StackScratchSize = 512;

    /// <summary><see cref="FindLineFeed"/>: no LF is buffered yet, and the window is not exhausted.</summary>
    internal const int NoLineFeed = -1;

    /// <summary><see cref="FindLineFeed"/>: more bytes than the window are buffered without an LF.</summary>
    internal const int LineTooLong = -2;

    /// <summary>
    /// The offset of the first LF in the unread bytes, searched within the first <paramref name="maxIndex"/> + 1
    /// bytes only; <see cref="NoLineFeed"/> when none is buffered yet, <see cref="LineTooLong"/> when more than
    /// <paramref name="maxIndex"/> bytes are buffered without one.
    /// </summary>
    internal static int FindLineFeed(in SequenceReader<byte> reader, long maxIndex)
    {
        ReadOnlySpan<byte> span = reader.UnreadSpan;
        int window = (int)Math.Clamp(maxIndex + 1, 0, int.MaxValue);
        int index = span[..Math.Min(span.Length, window)].IndexOf((byte)'\n');
        if (index >= 0)
        {
            return index;
        }

        if (span.Length >= window)
        {
            return LineTooLong;
        }

        if (reader.Remaining == span.Length)
        {
            return NoLineFeed;
        }

        // Slow path: the line crosses segments.
        ReadOnlySequence<byte> unread = reader.UnreadSequence;
        ReadOnlySequence<byte> searched = unread.Slice(0, Math.Min(unread.Length, window));
        SequencePosition? position = searched.PositionOf((byte)'\n');
        if (position.HasValue)
        {
            return (int)unread.Slice(0, position.Value).Length;
        }

        return unread.Length >= window ? LineTooLong : NoLineFeed;
    }

    /// <summary>The next <paramref name="length"/> unread bytes as one span: in place, or copied into scratch when they cross segments.</summary>
    internal static ReadOnlySpan<byte> GetLine(in SequenceReader<byte> reader, int length, Span<byte> stackScratch, ref byte[]? rented)
    {
        ReadOnlySpan<byte> span = reader.UnreadSpan;
        if (length <= span.Length)
        {
            return span[..length];
        }

        if (length > stackScratch.Length)
        {
            ReturnScratch(rented);
            rented = ArrayPool<byte>.Shared.Rent(length);
            stackScratch = rented;
        }

        reader.UnreadSequence.Slice(0, length).CopyTo(stackScratch);
        return stackScratch[..length];
    }

    internal static void ReturnScratch(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}

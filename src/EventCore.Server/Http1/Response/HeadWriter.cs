using System.Buffers;
using System.IO.Pipelines;
using System.Numerics;
using System.Text;

namespace EventCore.Server.Http1;

/// <summary>
/// Writes a response head or trailer section into one span of the output, advanced once by <see cref="Commit"/>:
/// a <c>GetSpan</c>/<c>Advance</c> pair through the pipe per field cost more than the bytes themselves (pipelined
/// plaintext). A field that does not fit advances what is written so far and takes a new span, so a head that
/// crosses a segment is split at a field, as before. Field names are validated tokens and values validated printable
/// ASCII or HTAB (<see cref="ResponseFieldValidation"/>), so they are copied char-for-byte; a non-ASCII value is
/// encoded as <see cref="EventCoreServerOptions.ResponseHeaderEncodingSelector"/> says. Stack-only, so it lives
/// within one call on the request thread.
/// </summary>
internal ref struct HeadWriter
{
    // The class, not IBufferWriter<byte>: a virtual call instead of an interface dispatch.
    private readonly PipeWriter _output;
    private Span<byte> _span;
    private int _written;

    /// <param name="output">Where the bytes go; nothing is advanced before <see cref="Commit"/> unless a field overflows the span.</param>
    /// <param name="sizeHint">The expected size: the first span is taken this large (a guess; more is taken if needed).</param>
    public HeadWriter(PipeWriter output, int sizeHint)
    {
        _output = output;
        _span = output.GetSpan(sizeHint);
    }

    /// <summary>Bytes that are already wire format: a status line, a whole field line, CRLF.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _written += bytes.Length;
    }

    /// <summary>
    /// Writes <c>{name}: {value}\r\n</c> for a validated field: the value is ASCII unless
    /// <paramref name="encodingSelector"/> names an encoding for it.
    /// </summary>
    public void WriteField(string name, string value, Func<string, Encoding?>? encodingSelector)
    {
        var span = Reserve(name.Length + value.Length + 4);
        var written = WriteName(name, span);
        if (Ascii.FromUtf16(value, span[written..], out var valueLength) != OperationStatus.Done)
        {
            WriteEncodedField(name, value, encodingSelector);
            return;
        }

        written += valueLength;
        span[written++] = (byte)'\r';
        span[written++] = (byte)'\n';
        _written += written;
    }

    /// <summary>
    /// Every field of <paramref name="headers"/>, one line per non-null value: the slots in order (each name as its
    /// precomputed bytes), then the other names.
    /// </summary>
    public void WriteFields(ResponseHeaders headers)
    {
        for (var slots = headers.PresentSlots; slots != 0; slots &= slots - 1)
        {
            var slot = BitOperations.TrailingZeroCount(slots);
            foreach (var value in headers.KnownValue(slot))
            {
                if (value is not null)
                {
                    WriteKnownField(slot, value, headers.EncodingSelector);
                }
            }
        }

        if (headers.Others is { Count: > 0 } others)
        {
            foreach (var (name, values) in others)
            {
                foreach (var value in values)
                {
                    if (value is not null)
                    {
                        WriteField(name, value, headers.EncodingSelector);
                    }
                }
            }
        }
    }

    /// <summary><c>{name}: {value}\r\n</c> for a <see cref="ResponseHeaderNames"/> slot: the name is copied as bytes.</summary>
    private void WriteKnownField(int slot, string value, Func<string, Encoding?>? encodingSelector)
    {
        var prefix = ResponseHeaderNames.Prefix(slot);
        var span = Reserve(prefix.Length + value.Length + 2);
        prefix.CopyTo(span);
        if (Ascii.FromUtf16(value, span[prefix.Length..], out var valueLength) != OperationStatus.Done)
        {
            WriteEncodedField(ResponseHeaderNames.Names[slot], value, encodingSelector);
            return;
        }

        var written = prefix.Length + valueLength;
        span[written++] = (byte)'\r';
        span[written++] = (byte)'\n';
        _written += written;
    }

    /// <summary>Advances the output past everything written. Nothing is written to the head after this.</summary>
    public readonly void Commit() => _output.Advance(_written);

    private static int WriteName(string name, Span<byte> span)
    {
        Ascii.FromUtf16(name, span, out var written);
        span[written++] = (byte)':';
        span[written++] = (byte)' ';
        return written;
    }

    /// <summary>
    /// The slow path of <see cref="WriteField(string, string, Func{string, Encoding?}?)"/>: a value with non-ASCII
    /// characters, encoded as the selector says. The encoded bytes are checked once more: an encoding that turns
    /// characters into CR, LF or NUL would split the field.
    /// </summary>
    private void WriteEncodedField(string name, string value, Func<string, Encoding?>? encodingSelector)
    {
        var encoded = ResponseFieldValidation.EncodingFor(name, encodingSelector).GetBytes(value);
        if (encoded.AsSpan().IndexOfAny((byte)'\r', (byte)'\n', (byte)0) >= 0)
        {
            ResponseFieldValidation.Throw($"The encoded value of response header '{name}' contains CR, LF or NUL.");
        }

        var span = Reserve(name.Length + encoded.Length + 4);
        var written = WriteName(name, span);
        encoded.CopyTo(span[written..]);
        written += encoded.Length;
        span[written++] = (byte)'\r';
        span[written++] = (byte)'\n';
        _written += written;
    }

    /// <summary>The unwritten rest of the span, at least <paramref name="length"/> bytes.</summary>
    private Span<byte> Reserve(int length)
    {
        if (length > _span.Length - _written)
        {
            Grow(length);
        }

        return _span[_written..];
    }

    private void Grow(int length)
    {
        _output.Advance(_written);
        _written = 0;
        _span = _output.GetSpan(length);
    }
}

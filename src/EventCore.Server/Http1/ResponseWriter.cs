using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace EventCore.Server.Http1;

/// <summary>
/// Writes HTTP/1.1 response framing (status line, header fields, chunk framing) into an output buffer. Stateless
/// and allocation-free: status lines are cached as bytes, header strings are validated ASCII so they are copied
/// char-for-byte.
/// </summary>
internal static class ResponseWriter
{
    public const int MaxChunkPrefixLength = 10; // 8 hex digits + CRLF

    private static readonly byte[]?[] s_statusLines = new byte[]?[1000];

    public static ReadOnlySpan<byte> Continue => "HTTP/1.1 100 Continue\r\n\r\n"u8;

    public static ReadOnlySpan<byte> ChunkedTerminator => "0\r\n\r\n"u8;

    /// <summary>Writes <c>HTTP/1.1 {status} {reason}\r\n</c>; a null or empty reason takes the standard phrase.</summary>
    public static void WriteStatusLine(IBufferWriter<byte> output, int statusCode, string? reasonPhrase)
    {
        if (string.IsNullOrEmpty(reasonPhrase) && statusCode is >= 100 and <= 999)
        {
            output.Write(s_statusLines[statusCode] ??= BuildStatusLine(statusCode, ReasonPhrases.GetReasonPhrase(statusCode)));
        }
        else
        {
            output.Write(BuildStatusLine(statusCode, reasonPhrase ?? string.Empty));
        }
    }

    /// <summary>
    /// Writes <c>{name}: {value}\r\n</c>. Both are validated (see <see cref="ResponseFieldValidation"/>): the name is
    /// ASCII, and so is the value unless <paramref name="encodingSelector"/> names an encoding for it.
    /// </summary>
    public static void WriteHeader(IBufferWriter<byte> output, string name, string value, Func<string, Encoding?>? encodingSelector = null)
    {
        var length = name.Length + value.Length + 4;
        var span = output.GetSpan(length);
        Ascii.FromUtf16(name, span, out var written);
        span[written++] = (byte)':';
        span[written++] = (byte)' ';
        if (Ascii.FromUtf16(value, span[written..], out var valueLength) != OperationStatus.Done)
        {
            WriteEncodedHeader(output, name, value, encodingSelector);
            return;
        }

        written += valueLength;
        span[written++] = (byte)'\r';
        span[written++] = (byte)'\n';
        output.Advance(written);
    }

    /// <summary>Writes a header whose name and value are already bytes (<paramref name="nameAndSeparator"/> includes ": ").</summary>
    public static void WriteHeader(IBufferWriter<byte> output, ReadOnlySpan<byte> nameAndSeparator, ReadOnlySpan<byte> value)
    {
        var span = output.GetSpan(nameAndSeparator.Length + value.Length + 2);
        nameAndSeparator.CopyTo(span);
        value.CopyTo(span[nameAndSeparator.Length..]);
        var written = nameAndSeparator.Length + value.Length;
        span[written++] = (byte)'\r';
        span[written++] = (byte)'\n';
        output.Advance(written);
    }

    public static void WriteHeaders(IBufferWriter<byte> output, ResponseHeaders headers)
    {
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                if (value is not null)
                {
                    WriteHeader(output, name, value, headers.EncodingSelector);
                }
            }
        }
    }

    /// <summary>Writes a decimal number header (Content-Length) without formatting a string.</summary>
    public static void WriteNumberHeader(IBufferWriter<byte> output, ReadOnlySpan<byte> nameAndSeparator, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var length);
        WriteHeader(output, nameAndSeparator, digits[..length]);
    }

    /// <summary>Writes <paramref name="length"/> as hex, left-padded with zeros to <paramref name="width"/> digits, then CRLF.</summary>
    public static void WriteChunkPrefix(Span<byte> destination, int length, int width)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            destination[i] = (byte)"0123456789abcdef"[length & 0xF];
            length >>= 4;
        }

        destination[width] = (byte)'\r';
        destination[width + 1] = (byte)'\n';
    }

    /// <summary>How many hex digits a chunk of up to <paramref name="maxLength"/> bytes needs.</summary>
    public static int HexWidth(int maxLength) => Math.Max(1, (35 - int.LeadingZeroCount(maxLength)) / 4);

    public static void WriteCrlf(IBufferWriter<byte> output) => output.Write("\r\n"u8);

    /// <summary>
    /// The slow path of <see cref="WriteHeader(IBufferWriter{byte}, string, string, Func{string, Encoding}?)"/>: a value
    /// with non-ASCII characters, encoded as the selector says. The encoded bytes are checked once more: an encoding
    /// that turns characters into CR, LF or NUL would split the header.
    /// </summary>
    private static void WriteEncodedHeader(IBufferWriter<byte> output, string name, string value, Func<string, Encoding?>? encodingSelector)
    {
        var encoded = ResponseFieldValidation.EncodingFor(name, encodingSelector).GetBytes(value);
        if (encoded.AsSpan().IndexOfAny((byte)'\r', (byte)'\n', (byte)0) >= 0)
        {
            ResponseFieldValidation.Throw($"The encoded value of response header '{name}' contains CR, LF or NUL.");
        }

        var span = output.GetSpan(name.Length + encoded.Length + 4);
        Ascii.FromUtf16(name, span, out var written);
        span[written++] = (byte)':';
        span[written++] = (byte)' ';
        encoded.CopyTo(span[written..]);
        written += encoded.Length;
        span[written++] = (byte)'\r';
        span[written++] = (byte)'\n';
        output.Advance(written);
    }

    private static byte[] BuildStatusLine(int statusCode, string reasonPhrase)
        => Encoding.ASCII.GetBytes($"HTTP/1.1 {statusCode} {reasonPhrase}\r\n");
}

using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace EventCore.Server.Http1;

/// <summary>
/// Writes HTTP/1.1 response framing (status lines, fixed fields, chunk framing) into an output buffer; a response
/// head with the app's fields is written by <see cref="HeadWriter"/>. Stateless and allocation-free: status lines
/// are cached as bytes.
/// </summary>
internal static class ResponseWriter
{
    public const int MaxChunkPrefixLength = 10; // 8 hex digits + CRLF

    private static readonly byte[]?[] s_statusLines = new byte[]?[1000];

    public static ReadOnlySpan<byte> Continue => "HTTP/1.1 100 Continue\r\n\r\n"u8;

    public static ReadOnlySpan<byte> ChunkedTerminator => "0\r\n\r\n"u8;

    /// <summary>Writes <c>HTTP/1.1 {status} {reason}\r\n</c>; a null or empty reason takes the standard phrase.</summary>
    public static void WriteStatusLine(IBufferWriter<byte> output, int statusCode, string? reasonPhrase)
        => output.Write(StatusLine(statusCode, reasonPhrase));

    /// <summary>
    /// <c>HTTP/1.1 {status} {reason}\r\n</c> as bytes; a null or empty reason takes the standard phrase, and those
    /// lines are cached per status code (a custom reason is formatted each time).
    /// </summary>
    public static byte[] StatusLine(int statusCode, string? reasonPhrase)
        => string.IsNullOrEmpty(reasonPhrase) && statusCode is >= 100 and <= 999
            ? s_statusLines[statusCode] ??= BuildStatusLine(statusCode, ReasonPhrases.GetReasonPhrase(statusCode))
            : BuildStatusLine(statusCode, reasonPhrase ?? string.Empty);

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

    private static byte[] BuildStatusLine(int statusCode, string reasonPhrase)
        => Encoding.ASCII.GetBytes($"HTTP/1.1 {statusCode} {reasonPhrase}\r\n");
}

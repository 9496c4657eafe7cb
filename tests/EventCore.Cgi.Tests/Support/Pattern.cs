using System.Net;

namespace EventCore.Cgi.Tests.Support;

/// <summary>
/// Large bodies made and checked on the fly, never held whole: the line "0123456789abcdef\n" repeated (what
/// generate.sh writes with <c>yes</c>), so any byte's expected value follows from its position.
/// </summary>
internal static class Pattern
{
    public static readonly byte[] Line = "0123456789abcdef\n"u8.ToArray();

    public static readonly byte[] UpperLine = "0123456789ABCDEF\n"u8.ToArray();

    /// <summary>Reads <paramref name="stream"/> to its end, checking every byte against <paramref name="line"/>; returns the length.</summary>
    public static async Task<long> VerifyAsync(Stream stream, byte[] line)
    {
        var buffer = new byte[64 * 1024];
        long position = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
        {
            for (var i = 0; i < read; i++, position++)
            {
                if (buffer[i] != line[position % line.Length])
                {
                    Assert.Fail($"Byte {position} is {buffer[i]}, expected {line[position % line.Length]}.");
                }
            }
        }

        return position;
    }

    /// <summary>A request body of <c>length</c> pattern bytes, with a Content-Length or (<c>chunked</c>) without.</summary>
    public sealed class Content(long length, bool chunked) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var block = new byte[Line.Length * 3855];
            for (var i = 0; i < block.Length; i++)
            {
                block[i] = Line[i % Line.Length];
            }

            // The block is a whole number of lines, so every block starts where the pattern starts.
            for (long sent = 0; sent < length; sent += block.Length)
            {
                await stream.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, length - sent)), cancellationToken);
            }
        }

        protected override bool TryComputeLength(out long size)
        {
            size = length;
            return !chunked;
        }
    }
}

using System.Net;

namespace EventCore.FunctionalTests.Infrastructure;

/// <summary>Request content of unknown length (so HttpClient must send it chunked), written in pieces with flushes.</summary>
public sealed class UnknownLengthContent(byte[] payload, int pieceSize) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < payload.Length; offset += pieceSize)
        {
            await stream.WriteAsync(payload.AsMemory(offset, Math.Min(pieceSize, payload.Length - offset)), cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

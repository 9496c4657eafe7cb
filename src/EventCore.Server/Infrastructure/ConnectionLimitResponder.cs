using System.Buffers;
using System.IO.Pipelines;
using EventCore.Server.Http1;
using Microsoft.AspNetCore.Connections;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// Answers a connection beyond <c>MaxConcurrentConnections</c> with <c>RejectedConnectionStatusCode</c> (typically
/// 503) instead of closing it silently. The request head is read first (for up to <see cref="HeadTimeout"/>, at most
/// the header size limit) and discarded, so the answer does not race the client's request: closing a socket with
/// unread request bytes would make the kernel reset the connection, and the client could lose the answer. The request
/// is not parsed and never reaches the app.
/// </summary>
internal static class ConnectionLimitResponder
{
    public static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(5);

    public static async Task RespondAsync(ConnectionContext connection, int statusCode, ServiceContext service)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        using (var timeout = new CancellationTokenSource(HeadTimeout))
        {
            try
            {
                await SkipRequestHeadAsync(input, service.Limits.MaxRequestHeadersTotalSize + service.Limits.MaxRequestLineSize, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // No complete head in time: answer anyway.
            }
        }

        ResponseWriter.WriteStatusLine(output, statusCode, null);
        output.Write(service.DateCache.Current.HeaderLine);
        if (service.Options.AddServerHeader)
        {
            output.Write("Server: EventCore\r\n"u8);
        }

        output.Write("Content-Length: 0\r\nConnection: close\r\n\r\n"u8);
        await output.FlushAsync();
        await output.CompleteAsync();
        await input.CompleteAsync();
    }

    /// <summary>Reads until the end of a request head (CRLF CRLF), the peer's FIN, or <paramref name="limit"/> bytes.</summary>
    private static async Task SkipRequestHeadAsync(PipeReader input, int limit, CancellationToken cancellationToken)
    {
        long seen = 0;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var end = FindHeadEnd(buffer);
            if (end is { } position)
            {
                input.AdvanceTo(position);
                return;
            }

            seen += buffer.Length;
            if (result.IsCompleted || result.IsCanceled || seen > limit)
            {
                input.AdvanceTo(buffer.End);
                return;
            }

            // Keep the last 3 bytes: the terminator may straddle reads.
            var keep = Math.Min(3, buffer.Length);
            seen -= keep;
            input.AdvanceTo(buffer.GetPosition(buffer.Length - keep), buffer.End);
        }
    }

    private static SequencePosition? FindHeadEnd(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> _, "\r\n\r\n"u8, advancePastDelimiter: true) ? reader.Position : null;
    }
}

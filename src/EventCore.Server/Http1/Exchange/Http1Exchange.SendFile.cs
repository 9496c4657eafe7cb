using System.Diagnostics.CodeAnalysis;
using EventCore.Server.Infrastructure;
using EventCore.Server.Infrastructure.Metrics;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Connections;
using Microsoft.Win32.SafeHandles;

namespace EventCore.Server.Http1;

/// <summary>The response body from a file: <c>IHttpResponseBodyFeature.SendFileAsync</c> (request thread only).</summary>
internal abstract partial class Http1Exchange
{
    /// <summary>Files up to this size are copied into the output instead of sent with sendfile(2).</summary>
    internal const int SmallFileLimit = 16 * 1024;

    private const int CopyChunkSize = 64 * 1024;

    /// <summary>
    /// The app's SendFileAsync (static files). Files up to <see cref="SmallFileLimit"/> are read into the output
    /// pipe, so the head and the file leave in one write (and a pipelined batch in one writev): at that size
    /// sendfile(2) costs more than the copy, and a separate head write would cost a second TCP segment. Larger
    /// files go through the transport's sendfile when the response has a Content-Length; otherwise they are
    /// copied through the body with the response's framing. A peer that went away ends the send quietly, like a
    /// write to an aborted Kestrel connection: the request is aborted and the connection closes.
    /// </summary>
    private async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken)
    {
        await EnsureStartedAsync();
        FlushPreStartBuffer();
        var fd = SmallFile.TryOpenRegular(path, out var size);
        if (fd >= 0 && (count ?? size - offset) is >= 0 and <= SmallFileLimit)
        {
            // The common static file: no SafeFileHandle, no allocation.
            try
            {
                CopySmallFile(fd, offset, count ?? size - offset);
            }
            finally
            {
                SmallFile.Close(fd);
            }

            return;
        }

        using var file = fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var length = count ?? (RandomAccess.GetLength(file) - offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length, nameof(count));
        if (length <= SmallFileLimit)
        {
            CopySmallFile((int)file.DangerousGetHandle(), offset, length);
            return;
        }

        if (!CheckBodyWrite(length))
        {
            return;
        }

        var sendFile = _connection.Features.Get<IConnectionSendFileFeature>();
        try
        {
            if (sendFile is null || _framer.Framing != ResponseFraming.ContentLength)
            {
                await CopyToBodyAsync(file, offset, length, cancellationToken);
                return;
            }

            ServerLog.SendFile(_service.ConnectionLogger, ConnectionId, length, path);
            _pendingFlush = true;
            await FlushPendingAsync();
            await SendFileTimedAsync(sendFile, file, offset, length, cancellationToken);
            _framer.CountSent(length);
        }
        catch (Exception ex) when (ex is ConnectionResetException or ConnectionAbortedException)
        {
            ServerLog.SendFileAborted(_service.ConnectionLogger, ConnectionId, ex.Message);
            Owner.EndReason.Set(ConnectionEndReason.ConnectionReset); // the peer went away mid-response, not an app error
            BreakResponse();
        }
    }

    /// <summary>Reads a small file region into the response body (synchronous pread: the file is small).</summary>
    private void CopySmallFile(int fd, long offset, long length)
    {
        if (length == 0 || !CheckBodyWrite(length))
        {
            return;
        }

        while (length > 0)
        {
            var memory = GetBodyMemory((int)length);
            var read = SmallFile.Read(fd, memory.Span[..(int)Math.Min(memory.Length, length)], offset);
            if (read == 0)
            {
                ThrowFileEndedEarly();
            }

            AdvanceBody(read);
            offset += read;
            length -= read;
        }
    }

    /// <summary>Copies a file region through the body with the response's framing, flushing as it goes.</summary>
    private async Task CopyToBodyAsync(SafeFileHandle file, long offset, long length, CancellationToken cancellationToken)
    {
        while (length > 0)
        {
            if (Owner.IsConnectionClosed)
            {
                // Writes to a closed connection are discarded, not failed: stop reading the file for nobody.
                throw new ConnectionAbortedException("The connection closed while the file was being sent.");
            }

            var memory = GetBodyMemory((int)Math.Min(length, CopyChunkSize));
            var read = await RandomAccess.ReadAsync(file, memory[..(int)Math.Min(memory.Length, length)], offset, cancellationToken);
            if (read == 0)
            {
                ThrowFileEndedEarly();
            }

            AdvanceBody(read);
            offset += read;
            length -= read;
            var flush = await FlushBodyAsync(cancellationToken);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                throw new ConnectionAbortedException("The connection closed while the file was being sent.");
            }
        }
    }

    [DoesNotReturn]
    private static void ThrowFileEndedEarly() => throw new IOException("The file is shorter than the response's length: it changed while being sent.");
}

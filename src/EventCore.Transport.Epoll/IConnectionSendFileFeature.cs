using Microsoft.Win32.SafeHandles;

namespace EventCore.Transport.Epoll;

/// <summary>
/// Sends a file region on a connection with sendfile(2), straight from the page cache to the socket.
/// Available from <c>ConnectionContext.Features</c> of connections accepted by the epoll transport.
/// </summary>
public interface IConnectionSendFileFeature
{
    /// <summary>
    /// Sends <paramref name="count"/> bytes of <paramref name="file"/> starting at <paramref name="offset"/>.
    /// Bytes already flushed to the connection's output go out first. The application must not write to the
    /// output until the returned task completes, and must keep <paramref name="file"/> open until then.
    /// </summary>
    /// <param name="file">An open, readable file.</param>
    /// <param name="offset">The first byte to send.</param>
    /// <param name="count">The number of bytes to send.</param>
    /// <param name="cancellationToken">Cancels the send (the connection then holds a partial response).</param>
    /// <returns>A task that completes when the bytes are in the socket's send buffer.</returns>
    /// <exception cref="OperationCanceledException">The send was cancelled.</exception>
    /// <exception cref="IOException">The peer went away, or the file ended early.</exception>
    ValueTask SendFileAsync(SafeFileHandle file, long offset, long count, CancellationToken cancellationToken = default);
}

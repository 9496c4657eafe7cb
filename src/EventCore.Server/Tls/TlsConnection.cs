using System.IO.Pipelines;
using System.Net.Security;
using Microsoft.AspNetCore.Connections;

namespace EventCore.Server.Tls;

/// <summary>A connection after a successful handshake: what to undo when it ends.</summary>
internal sealed class TlsConnection(ConnectionContext connection, IDuplexPipe transport, SslStream stream, SslDuplexPipe pipe, TlsConnectionFeature feature)
{
    /// <summary>What the handshake gave the app: client certificate, protocol, ALPN.</summary>
    public TlsConnectionFeature Feature => feature;

    /// <summary>
    /// Completes the decrypted pipes (sending what is still buffered), disposes the SslStream and gives the connection
    /// its transport pipes back, for the dispatcher to complete and dispose. Never throws for a peer that went away.
    /// </summary>
    public async ValueTask CloseAsync()
    {
        try
        {
            await pipe.Output.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer is gone: nothing more can be sent.
        }

        await pipe.Input.CompleteAsync();
        await stream.DisposeAsync();
        connection.Transport = transport;
    }
}

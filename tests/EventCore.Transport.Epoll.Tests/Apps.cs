using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace EventCore.Transport.Epoll.Tests;

/// <summary>Server-side applications and client helpers shared by the tests.</summary>
internal static class Apps
{
    /// <summary>Echoes everything until the peer finishes sending.</summary>
    public static async Task EchoAsync(ConnectionContext connection)
    {
        PipeReader input = connection.Transport.Input;
        PipeWriter output = connection.Transport.Output;
        while (true)
        {
            ReadResult result = await input.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                output.Write(segment.Span);
            }
            input.AdvanceTo(result.Buffer.End);
            await output.FlushAsync();
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>Reads the connection's input to its end; returns the byte count.</summary>
    public static async Task<long> ReadInputToEndAsync(ConnectionContext connection)
    {
        PipeReader input = connection.Transport.Input;
        long total = 0;
        while (true)
        {
            ReadResult result = await input.ReadAsync();
            total += result.Buffer.Length;
            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return total;
            }
        }
    }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes.</summary>
    public static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int read = await socket.ReceiveAsync(buffer).AsTask().WaitAsync(TestServer.Timeout);
            if (read == 0)
            {
                throw new EndOfStreamException();
            }
            buffer = buffer[read..];
        }
    }

    /// <summary>Reads until EOF, hashing; returns the byte count.</summary>
    public static async Task<long> ReceiveToEndAsync(Socket socket, IncrementalHashSink? hash = null)
    {
        byte[] buffer = new byte[256 * 1024];
        long total = 0;
        while (true)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TestServer.Timeout);
            if (read == 0)
            {
                return total;
            }
            hash?.Append(buffer.AsSpan(0, read));
            total += read;
        }
    }

    /// <summary>Round-trips one message through an echo server.</summary>
    public static async Task RoundTripAsync(Socket socket, byte[] message)
    {
        await socket.SendAsync(message.AsMemory()).AsTask().WaitAsync(TestServer.Timeout);
        byte[] reply = new byte[message.Length];
        await ReceiveExactlyAsync(socket, reply);
        Assert.Equal(message, reply);
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace EventCore.Transport.Epoll;

/// <summary>Converts between <see cref="IPEndPoint"/> and Linux sockaddr_in / sockaddr_in6 bytes.</summary>
internal static class SocketAddressCodec
{
    /// <summary>sizeof(struct sockaddr_in6), large enough for both families.</summary>
    public const int MaxLength = 28;

    /// <summary>Writes the sockaddr for <paramref name="endPoint"/>; returns its length.</summary>
    public static int Write(IPEndPoint endPoint, Span<byte> destination)
    {
        destination[..MaxLength].Clear();
        bool v6 = endPoint.AddressFamily == AddressFamily.InterNetworkV6;
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)(v6 ? Interop.AfInet6 : Interop.AfInet));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)endPoint.Port);
        if (!v6)
        {
            endPoint.Address.TryWriteBytes(destination.Slice(4, 4), out _);
            return 16;
        }
        endPoint.Address.TryWriteBytes(destination.Slice(8, 16), out _);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], (uint)endPoint.Address.ScopeId);
        return MaxLength;
    }

    /// <summary>Reads a sockaddr_in or sockaddr_in6.</summary>
    public static IPEndPoint Read(ReadOnlySpan<byte> source)
    {
        int family = BinaryPrimitives.ReadUInt16LittleEndian(source);
        int port = BinaryPrimitives.ReadUInt16BigEndian(source[2..]);
        if (family == Interop.AfInet)
        {
            return new IPEndPoint(new IPAddress(source.Slice(4, 4)), port);
        }
        long scope = BinaryPrimitives.ReadUInt32LittleEndian(source[24..]);
        return new IPEndPoint(new IPAddress(source.Slice(8, 16), scope), port);
    }
}

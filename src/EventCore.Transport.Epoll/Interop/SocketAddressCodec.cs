using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EventCore.Transport.Epoll;

/// <summary>Converts between endpoints and Linux sockaddr_in / sockaddr_in6 / sockaddr_un bytes.</summary>
internal static class SocketAddressCodec
{
    /// <summary>sizeof(struct sockaddr_un), the largest of the three.</summary>
    public const int MaxLength = UnixPathOffset + UnixPathCapacity;

    /// <summary>sizeof(struct sockaddr_in6).</summary>
    private const int Inet6Length = 28;

    private const int UnixPathOffset = 2;

    /// <summary>sizeof(sun_path).</summary>
    private const int UnixPathCapacity = 108;

    /// <summary>Writes the sockaddr for <paramref name="endPoint"/>; returns its length.</summary>
    public static int Write(IPEndPoint endPoint, Span<byte> destination)
    {
        destination[..Inet6Length].Clear();
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
        return Inet6Length;
    }

    /// <summary>
    /// Writes the sockaddr_un for a filesystem <paramref name="path"/> (NUL-terminated) or, when it starts with '@' or
    /// NUL, an abstract name; returns its length.
    /// </summary>
    /// <exception cref="ArgumentException">The path does not fit sun_path (107 bytes and the NUL).</exception>
    public static int WriteUnix(string path, Span<byte> destination)
    {
        destination[..MaxLength].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)Interop.AfUnix);
        bool isAbstract = path.Length > 0 && path[0] is '@' or '\0';
        int byteCount = Encoding.UTF8.GetByteCount(path);
        if (byteCount == 0 || byteCount > UnixPathCapacity - (isAbstract ? 0 : 1))
        {
            throw new ArgumentException($"The Unix socket path '{path}' is empty or longer than {UnixPathCapacity - 1} bytes.", nameof(path));
        }
        Span<byte> sunPath = destination.Slice(UnixPathOffset, UnixPathCapacity);
        Encoding.UTF8.GetBytes(path, sunPath);
        if (isAbstract)
        {
            sunPath[0] = 0; // Linux abstract namespace: the name is the bytes after the NUL, not NUL-terminated
            return UnixPathOffset + byteCount;
        }
        return UnixPathOffset + byteCount + 1;
    }

    /// <summary>
    /// A sockaddr_in as one packed number (<see cref="EpollConnection.PackIPv4"/>): an idle connection keeps its
    /// peer's address without an <see cref="IPEndPoint"/>. False for any other family.
    /// </summary>
    public static bool TryReadIPv4(ReadOnlySpan<byte> source, out ulong packed)
    {
        packed = 0;
        if (source.Length < 8 || BinaryPrimitives.ReadUInt16LittleEndian(source) != Interop.AfInet)
        {
            return false;
        }
        packed = EpollConnection.PackIPv4(BinaryPrimitives.ReadUInt32LittleEndian(source[4..]), BinaryPrimitives.ReadUInt16BigEndian(source[2..]));
        return true;
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

    /// <summary>
    /// Reads a sockaddr_un as .NET's sockets do (<see cref="EndPoint.Create"/> of a <see cref="UnixDomainSocketEndPoint"/>),
    /// so an unnamed peer — what a client that did not bind looks like — is the same endpoint Kestrel reports.
    /// </summary>
    public static EndPoint ReadUnix(ReadOnlySpan<byte> source, UnixDomainSocketEndPoint prototype)
    {
        var address = new SocketAddress(AddressFamily.Unix, Math.Max(source.Length, UnixPathOffset));
        source.CopyTo(address.Buffer.Span);
        return prototype.Create(address);
    }
}

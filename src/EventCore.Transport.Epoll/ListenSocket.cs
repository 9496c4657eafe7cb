using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace EventCore.Transport.Epoll;

/// <summary>Opens the nonblocking SO_REUSEPORT listening sockets, one per loop, all on the same port.</summary>
internal static class ListenSocket
{
    /// <summary>Opens <paramref name="count"/> sockets on <paramref name="endPoint"/>; for port 0, all on the port the first one got.</summary>
    public static SafeFdHandle[] OpenGroup(IPEndPoint endPoint, int count, int backlog, out IPEndPoint boundEndPoint)
    {
        var sockets = new List<SafeFdHandle>(count);
        try
        {
            boundEndPoint = endPoint;
            for (int i = 0; i < count; i++)
            {
                SafeFdHandle socket = Open(boundEndPoint, backlog);
                sockets.Add(socket);
                if (i == 0 && endPoint.Port == 0)
                {
                    boundEndPoint = new IPEndPoint(endPoint.Address, GetLocalEndPoint(socket.Fd).Port);
                }
            }
            return [.. sockets];
        }
        catch
        {
            sockets.ForEach(s => s.Dispose());
            throw;
        }
    }

    /// <summary>getsockname as an endpoint.</summary>
    public static IPEndPoint GetLocalEndPoint(int fd)
    {
        Span<byte> address = stackalloc byte[SocketAddressCodec.MaxLength];
        int length = Interop.Getsockname(fd, address);
        return length > 0 ? SocketAddressCodec.Read(address[..length]) : throw Failure("getsockname", Interop.LastErrno);
    }

    private static SafeFdHandle Open(IPEndPoint endPoint, int backlog)
    {
        bool v6 = endPoint.AddressFamily == AddressFamily.InterNetworkV6;
        int fd = Interop.Socket(v6 ? Interop.AfInet6 : Interop.AfInet, Interop.SockStream | Interop.SockNonblock | Interop.SockCloexec, 0);
        if (fd < 0)
        {
            throw Failure("socket", Interop.LastErrno);
        }
        var socket = new SafeFdHandle(fd);
        try
        {
            Configure(fd, endPoint);
            Span<byte> address = stackalloc byte[SocketAddressCodec.MaxLength];
            int length = SocketAddressCodec.Write(endPoint, address);
            if (Interop.Bind(fd, address[..length]) != 0)
            {
                Errno errno = Interop.LastErrno;
                throw errno == Errno.EADDRINUSE
                    ? new AddressInUseException($"Address {endPoint} is already in use.")
                    : Failure($"bind({endPoint})", errno);
            }
            if (Interop.Listen(fd, backlog) != 0)
            {
                throw Failure("listen", Interop.LastErrno);
            }
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void Configure(int fd, IPEndPoint endPoint)
    {
        Interop.SetIntOption(fd, Interop.SolSocket, Interop.SoReuseAddr, 1);
        if (Interop.SetIntOption(fd, Interop.SolSocket, Interop.SoReusePort, 1) != 0)
        {
            throw Failure("setsockopt(SO_REUSEPORT)", Interop.LastErrno);
        }
        if (endPoint.Address.Equals(IPAddress.IPv6Any))
        {
            // [::] is dual-stack, as Kestrel binds it: IPv4 clients arrive as ::ffff:a.b.c.d.
            Interop.SetIntOption(fd, Interop.IpProtoIpv6, Interop.Ipv6V6Only, 0);
        }
    }

    private static IOException Failure(string call, Errno errno) => new($"{call} failed: {errno}");
}

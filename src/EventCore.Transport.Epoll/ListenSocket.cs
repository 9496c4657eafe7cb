using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace EventCore.Transport.Epoll;

/// <summary>Opens the nonblocking SO_REUSEPORT listening sockets, one per loop, all on the same port.</summary>
/// <remarks>
/// SO_REUSEPORT would also let another process of the same user bind the port and silently take a share of the
/// connections. So the group is opened only after a probe socket without SO_REUSEPORT could bind the address:
/// if anyone listens there, with or without SO_REUSEPORT, binding fails with <see cref="AddressInUseException"/>,
/// as it does for Kestrel. (The probe closes before the group binds; a rival binding in that instant is not caught.)
/// </remarks>
internal static class ListenSocket
{
    /// <summary>Opens <paramref name="count"/> sockets on <paramref name="endPoint"/>; for port 0, on the port the probe got.</summary>
    public static SafeFdHandle[] OpenGroup(IPEndPoint endPoint, int count, int backlog, out IPEndPoint boundEndPoint)
    {
        boundEndPoint = ProbeExclusive(endPoint);
        var sockets = new List<SafeFdHandle>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                sockets.Add(Open(boundEndPoint, backlog));
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

    /// <summary>Binds (without listening, without SO_REUSEPORT) and closes a socket; returns the endpoint it got.</summary>
    private static IPEndPoint ProbeExclusive(IPEndPoint endPoint)
    {
        using SafeFdHandle probe = CreateBound(endPoint, reusePort: false);
        return endPoint.Port == 0 ? new IPEndPoint(endPoint.Address, GetLocalEndPoint(probe.Fd).Port) : endPoint;
    }

    private static SafeFdHandle Open(IPEndPoint endPoint, int backlog)
    {
        SafeFdHandle socket = CreateBound(endPoint, reusePort: true);
        try
        {
            if (Interop.Listen(socket.Fd, backlog) != 0)
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

    private static SafeFdHandle CreateBound(IPEndPoint endPoint, bool reusePort)
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
            Configure(fd, endPoint, reusePort);
            Span<byte> address = stackalloc byte[SocketAddressCodec.MaxLength];
            int length = SocketAddressCodec.Write(endPoint, address);
            if (Interop.Bind(fd, address[..length]) != 0)
            {
                Errno errno = Interop.LastErrno;
                throw errno == Errno.EADDRINUSE
                    ? new AddressInUseException($"Address {endPoint} is already in use.")
                    : Failure($"bind({endPoint})", errno);
            }
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void Configure(int fd, IPEndPoint endPoint, bool reusePort)
    {
        // SO_REUSEADDR: a restarted server binds despite its old connections in TIME_WAIT (Kestrel does the same).
        Interop.SetIntOption(fd, Interop.SolSocket, Interop.SoReuseAddr, 1);
        if (reusePort && Interop.SetIntOption(fd, Interop.SolSocket, Interop.SoReusePort, 1) != 0)
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

using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll;

/// <summary>
/// Opens a Unix domain (SOCK_STREAM) listening socket for a group of loops, and owns its socket file.
/// </summary>
/// <remarks>
/// Unix sockets have no SO_REUSEPORT balancing, so one socket is opened and every loop gets its own descriptor of it
/// (F_DUPFD_CLOEXEC), registered with EPOLLEXCLUSIVE: a connection wakes one loop, not all of them (nginx's
/// <c>accept_mutex off</c> way). The file: a socket file left behind by a process that died (nobody accepts on it:
/// connect is refused) is removed before binding; one somebody listens on fails with <see cref="AddressInUseException"/>;
/// a path that is not a socket is never removed. The file the bind created is removed when the listener closes,
/// unless it has been replaced meanwhile (a different inode). Its permissions are the process's (0777 &amp; ~umask).
/// </remarks>
internal sealed class UnixListenSocket
{
    private readonly string _path;
    private readonly ulong _inode;
    private readonly bool _isAbstract;

    private UnixListenSocket(UnixDomainSocketEndPoint endPoint, SafeFdHandle[] sockets, ulong inode)
    {
        EndPoint = endPoint;
        _path = endPoint.ToString();
        _isAbstract = _path.Length > 0 && _path[0] is '@' or '\0';
        Sockets = sockets;
        _inode = inode;
    }

    public UnixDomainSocketEndPoint EndPoint { get; }

    /// <summary>One descriptor of the listening socket per loop (the first is the original).</summary>
    public SafeFdHandle[] Sockets { get; }

    /// <summary>Binds and listens on <paramref name="endPoint"/> and hands out <paramref name="count"/> descriptors of it.</summary>
    public static UnixListenSocket Open(UnixDomainSocketEndPoint endPoint, int count, int backlog, ILogger logger)
    {
        string path = endPoint.ToString();
        bool isAbstract = path.Length > 0 && path[0] is '@' or '\0';
        Span<byte> address = stackalloc byte[SocketAddressCodec.MaxLength];
        int length = SocketAddressCodec.WriteUnix(path, address);
        if (!isAbstract)
        {
            RemoveStaleSocketFile(path, address[..length], logger);
        }
        var sockets = new List<SafeFdHandle>(count);
        try
        {
            SafeFdHandle first = Bind(path, address[..length], backlog);
            sockets.Add(first);
            for (int i = 1; i < count; i++)
            {
                int dup = Interop.DupCloexec(first.Fd);
                sockets.Add(dup >= 0 ? new SafeFdHandle(dup) : throw Failure("fcntl(F_DUPFD_CLOEXEC)", Interop.LastErrno));
            }
            ulong inode = 0;
            if (!isAbstract)
            {
                Interop.Lstat(path, out _, out inode);
            }
            return new UnixListenSocket(endPoint, [.. sockets], inode);
        }
        catch
        {
            sockets.ForEach(s => s.Dispose());
            throw;
        }
    }

    /// <summary>After the last descriptor closed: removes the socket file this listener created. Any thread.</summary>
    public void DeleteFile(ILogger logger)
    {
        if (_isAbstract || !Interop.Lstat(_path, out bool isSocket, out ulong inode) || !isSocket || inode != _inode)
        {
            return; // gone already, or replaced by someone else's socket: not ours to remove
        }
        try
        {
            File.Delete(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not remove the Unix socket file {Path}: {Message}", _path, ex.Message);
        }
    }

    private static SafeFdHandle Bind(string path, ReadOnlySpan<byte> address, int backlog)
    {
        int fd = Interop.Socket(Interop.AfUnix, Interop.SockStream | Interop.SockNonblock | Interop.SockCloexec, 0);
        if (fd < 0)
        {
            throw Failure("socket(AF_UNIX)", Interop.LastErrno);
        }
        var socket = new SafeFdHandle(fd);
        try
        {
            if (Interop.Bind(fd, address) != 0)
            {
                Errno errno = Interop.LastErrno;
                throw errno == Errno.EADDRINUSE
                    ? new AddressInUseException($"Unix socket {path} is already in use.")
                    : Failure($"bind(unix:{path})", errno);
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

    /// <summary>
    /// A socket file at <paramref name="path"/> that refuses connections is stale (its server died without removing
    /// it): remove it. A live one is in use; anything that is not a socket is left alone and the bind refused.
    /// </summary>
    private static void RemoveStaleSocketFile(string path, ReadOnlySpan<byte> address, ILogger logger)
    {
        if (!Interop.Lstat(path, out bool isSocket, out _))
        {
            return; // nothing there
        }
        if (!isSocket)
        {
            throw new IOException($"Cannot listen on Unix socket {path}: the path exists and is not a socket (it is left alone; remove it or choose another path).");
        }
        // Non-blocking: a live listener with a full backlog answers EAGAIN instead of blocking the bind.
        int fd = Interop.Socket(Interop.AfUnix, Interop.SockStream | Interop.SockNonblock | Interop.SockCloexec, 0);
        if (fd < 0)
        {
            throw Failure("socket(AF_UNIX)", Interop.LastErrno);
        }
        using var probe = new SafeFdHandle(fd);
        if (Interop.Connect(fd, address) == 0)
        {
            throw new AddressInUseException($"Unix socket {path} is already in use: another process accepts connections on it.");
        }
        Errno errno = Interop.LastErrno;
        if (errno != Errno.ECONNREFUSED)
        {
            // EAGAIN: a live listener whose backlog is full. Anything else: leave the file, let bind report it.
            if (errno == Errno.EAGAIN)
            {
                throw new AddressInUseException($"Unix socket {path} is already in use: another process listens on it.");
            }
            return;
        }
        logger.LogInformation("Removing the stale Unix socket file {Path} (nothing accepts on it)", path);
        File.Delete(path);
    }

    private static IOException Failure(string call, Errno errno) => new($"{call} failed: {errno}");
}

namespace EventCore.Transport.Epoll;

/// <summary>The Linux (x86-64, arm64) errno values the transport reacts to.</summary>
internal enum Errno
{
    None = 0,
    EPERM = 1,
    ENOENT = 2,
    EINTR = 4,
    EBADF = 9,
    EAGAIN = 11,
    ENOMEM = 12,
    EACCES = 13,
    EINVAL = 22,
    ENFILE = 23,
    EMFILE = 24,
    EPIPE = 32,
    EPROTO = 71,
    EADDRINUSE = 98,
    EADDRNOTAVAIL = 99,
    ECONNABORTED = 103,
    ECONNRESET = 104,
    ENOBUFS = 105,
    ENOTCONN = 107,
    ETIMEDOUT = 110,
    ECONNREFUSED = 111,
}

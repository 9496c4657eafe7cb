namespace EventCore.Transport.Epoll;

/// <summary>How connection sockets are registered with epoll.</summary>
public enum ArmingMode
{
    /// <summary>
    /// <c>EPOLLET | EPOLLONESHOT</c>: after each event the socket is disarmed and re-armed with
    /// <c>EPOLL_CTL_MOD</c> only for the directions that hit <c>EAGAIN</c>. No spurious wake-ups, one extra
    /// syscall per wait.
    /// </summary>
    OneShot,

    /// <summary>
    /// <c>EPOLLET</c> registered once for <c>EPOLLIN | EPOLLOUT | EPOLLRDHUP</c> and never modified. No re-arm
    /// syscalls; edges that arrive while a direction is not waiting are ignored.
    /// </summary>
    Persistent,
}

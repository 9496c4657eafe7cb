using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll;

/// <summary>
/// One loop's listening socket of a listener. Registered level-triggered for EPOLLIN: each event accepts up to
/// <see cref="MaxAcceptsPerEvent"/> connections (accept4 until EAGAIN), and a backlog left over simply fires
/// again, so accepting cannot starve the loop's connections. Accepting pauses while the process is short of
/// descriptors (<see cref="DescriptorBudget"/>) and resumes as soon as they come back. Loop thread only, except
/// <see cref="CloseAsync"/>.
/// </summary>
internal sealed class EpollListenSocket : IEpollHandler
{
    private const int MaxAcceptsPerEvent = 64;
    private static readonly TimeSpan s_minBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_minDescriptorPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan s_maxDescriptorPoll = TimeSpan.FromMilliseconds(100);

    private readonly EpollLoop _loop;
    private readonly EpollConnectionListener _listener;
    private readonly SafeFdHandle _socket;
    private readonly EndPoint? _localEndPoint;
    private readonly UnixDomainSocketEndPoint? _unix;
    private readonly EpollEvents _interest;
    private EndPoint? _unnamedPeer; // what every client that did not bind looks like: one instance per socket
    private readonly ILogger _logger;
    private readonly DescriptorBudget _budget;
    private TimeSpan _backoff = s_minBackoff;
    private TimeSpan _descriptorPoll = s_minDescriptorPoll;
    private ulong _token;
    private bool _registered;
    private bool _closed;

    // shared: the socket is one descriptor of a socket every loop polls (Unix sockets), registered with EPOLLEXCLUSIVE
    // so that a connection wakes one loop instead of all of them.
    public EpollListenSocket(EpollLoop loop, EpollConnectionListener listener, SafeFdHandle socket, EndPoint boundEndPoint, ILogger logger, DescriptorBudget budget, bool shared = false)
    {
        _budget = budget;
        _loop = loop;
        _listener = listener;
        _socket = socket;
        _logger = logger;
        _interest = shared ? EpollEvents.In | EpollEvents.Exclusive : EpollEvents.In;
        _unix = boundEndPoint as UnixDomainSocketEndPoint;
        bool wildcard = boundEndPoint is IPEndPoint ip && (ip.Address.Equals(IPAddress.Any) || ip.Address.Equals(IPAddress.IPv6Any));
        // A specific address is every connection's local endpoint; a wildcard needs getsockname per connection.
        _localEndPoint = wildcard ? null : boundEndPoint;
    }

    public EpollLoop Loop => _loop;

    /// <summary>Starts polling the socket (at bind). Loop thread only.</summary>
    public void Register()
    {
        if (!TryRegister())
        {
            throw new IOException($"epoll_ctl(ADD) of a listening socket failed: {Interop.LastErrno}");
        }
    }

    /// <summary>Starts polling the socket unless it is closed; false when epoll refused it. Loop thread only.</summary>
    private bool TryRegister()
    {
        if (!_closed && !_registered)
        {
            _registered = _loop.TryRegister(_socket.Fd, _interest, this, out _token);
            return _registered;
        }
        return true;
    }

    /// <summary>End of a back-off: poll the socket again (level-triggered, so a waiting backlog fires at once).</summary>
    private void Resume()
    {
        if (!TryRegister())
        {
            PauseAccepting();
        }
    }

    public void OnEvents(EpollEvents events)
    {
        Span<byte> address = stackalloc byte[SocketAddressCodec.MaxLength];
        for (int i = 0; i < MaxAcceptsPerEvent && !_closed; i++)
        {
            int fd = Interop.Accept4(_socket.Fd, address, out int length);
            if (fd < 0)
            {
                if (!ContinueAfterError(Interop.LastErrno))
                {
                    return;
                }
                continue;
            }
            _backoff = s_minBackoff;
            Accepted(fd, address[..length]);
            if (_budget.IsReserveReached(fd))
            {
                PauseForDescriptors("reserve reached");
                return;
            }
        }
    }

    /// <summary>The factory is being disposed: no more connections will come, so AcceptAsync returns null.</summary>
    public void OnLoopStopping()
    {
        Close();
        _listener.CompleteAccepting();
    }

    /// <summary>Stops accepting and closes the socket on its loop. Any thread.</summary>
    public Task CloseAsync() => _loop.InvokeAsync(static s => ((EpollListenSocket)s!).Close(), this);

    private void Accepted(int fd, ReadOnlySpan<byte> remoteAddress)
    {
        EpollConnection connection;
        try
        {
            EndPoint local;
            EndPoint? remote = null;
            ulong remoteIPv4 = 0;
            if (_unix is not null)
            {
                local = _unix;
                remote = remoteAddress.Length <= 2
                    ? _unnamedPeer ??= SocketAddressCodec.ReadUnix(remoteAddress, _unix)
                    : SocketAddressCodec.ReadUnix(remoteAddress, _unix);
            }
            else
            {
                Interop.SetIntOption(fd, Interop.IpProtoTcp, Interop.TcpNoDelay, 1);
                if (_loop.MaxSocketUnsentBytes > 0)
                {
                    Interop.SetIntOption(fd, Interop.IpProtoTcp, Interop.TcpNotSentLowat, _loop.MaxSocketUnsentBytes);
                }
                if (!SocketAddressCodec.TryReadIPv4(remoteAddress, out remoteIPv4))
                {
                    remote = SocketAddressCodec.Read(remoteAddress);
                }
                local = _localEndPoint ?? ListenSocket.GetLocalEndPoint(fd);
            }
            connection = new EpollConnection(_loop, fd, local, remote, remoteIPv4);
        }
        catch (IOException ex)
        {
            _logger.LogWarning(ex, "Dropping an accepted connection on loop {Index}", _loop.Index);
            Interop.Close(fd);
            return;
        }
        if (connection.Start() && !_listener.TryPublish(connection))
        {
            connection.Abort(new ConnectionAbortedException("The listener was unbound."));
        }
    }

    /// <summary>True to keep accepting; false when the socket is drained or accepting is paused.</summary>
    private bool ContinueAfterError(Errno errno)
    {
        switch (errno)
        {
            case Errno.EAGAIN:
                return false;
            case Errno.ECONNABORTED or Errno.EPROTO or Errno.EPERM:
                _logger.LogDebug("accept4 skipped a connection: {Errno}", errno);
                return true;
            case Errno.EMFILE:
                PauseForDescriptors("EMFILE");
                return false;
            case Errno.ENFILE or Errno.ENOBUFS or Errno.ENOMEM:
                _logger.LogWarning("accept4 failed: {Errno}; pausing accepts on loop {Index} for {Delay} ms", errno, _loop.Index, _backoff.TotalMilliseconds);
                PauseAccepting();
                return false;
            default:
                _logger.LogError("accept4 failed unexpectedly: {Errno}; pausing accepts on loop {Index}", errno, _loop.Index);
                PauseAccepting();
                return false;
        }
    }

    /// <summary>
    /// Out of kernel memory or the system-wide file table (ENFILE): stop polling the socket, which would otherwise fire again at once and spin the
    /// loop, and retry after a back-off doubling from 100 ms to 1 s. Existing connections keep being served.
    /// </summary>
    private void PauseAccepting()
    {
        Unregister();
        TimeSpan delay = _backoff;
        _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, s_maxBackoff.Ticks));
        _loop.ScheduleAfter(delay, static s => ((EpollListenSocket)s!).Resume(), this);
    }

    /// <summary>
    /// Short of descriptors: stop polling the socket (connections wait in the kernel's backlog) and check again
    /// after 10 ms, doubling to 100 ms, so a freed reserve is noticed within a tenth of a second without spinning.
    /// </summary>
    private void PauseForDescriptors(string cause)
    {
        Unregister();
        _budget.ReportPause(_loop.Index, cause);
        _loop.ScheduleAfter(_descriptorPoll, static s => ((EpollListenSocket)s!).CheckDescriptors(), this);
    }

    private void CheckDescriptors()
    {
        if (_closed)
        {
            return;
        }

        if (!_budget.HasRecovered())
        {
            _descriptorPoll = TimeSpan.FromTicks(Math.Min(_descriptorPoll.Ticks * 2, s_maxDescriptorPoll.Ticks));
            _loop.ScheduleAfter(_descriptorPoll, static s => ((EpollListenSocket)s!).CheckDescriptors(), this);
            return;
        }

        _descriptorPoll = s_minDescriptorPoll;
        _logger.LogDebug("Descriptors are back; accepting again on loop {Index}", _loop.Index);
        Resume();
    }

    private void Unregister()
    {
        if (_registered)
        {
            _loop.Unregister(_socket.Fd, _token);
            _registered = false;
        }
    }

    private void Close()
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        Unregister();
        _socket.Dispose();
        _listener.OnSocketClosed();
    }
}

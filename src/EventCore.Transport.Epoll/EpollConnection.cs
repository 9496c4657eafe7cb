using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll;

/// <summary>
/// One accepted socket. Its I/O state machine (receive, send, send-file, arming, close) runs on its loop's thread
/// only: pipe continuations of the transport side are scheduled there, and the application's calls (Abort,
/// DisposeAsync, SendFileAsync) are queued there. The connection owns the fd and closes it exactly once, on the
/// loop, after both the receive and the send side are done (<see cref="TryClose"/>). It is kept small, as an idle
/// keep-alive connection is little more than this object: the fd is a plain int, the connection is its own feature
/// collection (EpollConnection.Features.cs), and an IPv4 peer's endpoint is made when first asked for
/// (<see cref="RemoteEndPoint"/>).
/// </summary>
internal sealed partial class EpollConnection : ConnectionContext, IEpollHandler, IDuplexPipe,
    IConnectionIdFeature, IConnectionTransportFeature, IConnectionItemsFeature, IConnectionLifetimeFeature,
    IConnectionEndPointFeature, IMemoryPoolFeature, IConnectionSendFileFeature
{
    private readonly EpollLoop _loop;
    private readonly int _fd;
    private readonly bool _persistent;
    // The pipes: rented from the loop's pool; null only while parked without them (EpollConnection.Park.cs), when
    // every path that touches them wakes the park first.
    private Pipe _input;
    private Pipe _output;
    private string? _connectionId;

    /// <summary>The id's number: its string is made when asked for and dropped while idle without pipes. 0 once set from above.</summary>
    private long _connectionIdNumber;
    private IDictionary<object, object?>? _items;
    private IDuplexPipe _transport;
    private ulong _token;

    /// <summary>The interest currently armed in epoll (one-shot mode). Loop thread only.</summary>
    private EpollEvents _armed;

    /// <summary>
    /// A connection on <paramref name="fd"/>, which it owns from now on (closed once, by <see cref="TryClose"/> or a
    /// failed <see cref="Start"/>). The peer is <paramref name="remoteEndPoint"/>, or else the packed IPv4 address
    /// <paramref name="remoteIPv4"/> (<see cref="PackIPv4"/>).
    /// </summary>
    public EpollConnection(EpollLoop loop, int fd, EndPoint localEndPoint, EndPoint? remoteEndPoint, ulong remoteIPv4 = 0)
    {
        _loop = loop;
        _fd = fd;
        _persistent = loop.Persistent;
        (_input, _output) = loop.RentPipes();
        _transport = this;
        _connectionIdNumber = ConnectionIds.NextNumber();
        LocalEndPoint = localEndPoint;
        base.RemoteEndPoint = remoteEndPoint;
        _remoteIPv4 = remoteIPv4;
    }

    /// <summary>
    /// Made from its number when first asked for (any thread: every thread makes an equal string) and kept while the
    /// connection is active; forgotten while it is idle without pipes (<see cref="ForgetDerivedState"/>) unless it was
    /// set from above.
    /// </summary>
    public override string ConnectionId
    {
        get => _connectionId ?? MakeConnectionId();
        set
        {
            _connectionIdNumber = 0;
            _connectionId = value;
        }
    }

    private string MakeConnectionId()
    {
        long number = _connectionIdNumber;
        string id = number != 0 ? ConnectionIds.Format(number) : ConnectionIds.Next();
        _connectionId = id;
        return id;
    }

    public override IFeatureCollection Features => this;

    /// <summary>Fires when the peer is gone or the connection was aborted. A token set by the layer above wins.</summary>
    public override CancellationToken ConnectionClosed
    {
        get => base.ConnectionClosed is { CanBeCanceled: true } assigned ? assigned : GetClosedToken();
        set => base.ConnectionClosed = value;
    }

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new ConnectionItems();
        set => _items = value;
    }

    public override IDuplexPipe Transport
    {
        get => _transport;
        set => _transport = value;
    }

    public MemoryPool<byte> MemoryPool => _loop.MemoryPool;

    PipeReader IDuplexPipe.Input => _input.Reader;

    PipeWriter IDuplexPipe.Output => _output.Writer;

    /// <summary>Registers the socket with the loop and starts the send side. Loop thread only.</summary>
    public bool Start()
    {
        EpollEvents interest = _persistent
            ? EpollEvents.In | EpollEvents.Out | EpollEvents.RdHup | EpollEvents.EdgeTriggered
            : EpollEvents.In | EpollEvents.RdHup | EpollEvents.EdgeTriggered | EpollEvents.OneShot;
        if (!_loop.TryRegister(_fd, interest, this, out _token))
        {
            Interop.Close(_fd);
            return false;
        }
        _loop.Serving(this);
        _armed = EpollEvents.In | EpollEvents.RdHup;
        _wantRead = true;
        _loop.CountAccepted();
        ReadOutput();
        return true;
    }

    /// <summary>Whether the send side waits for EPOLLOUT (the socket took all it would). Any thread, for tests.</summary>
    internal bool IsWaitingToSend => Volatile.Read(ref _wantWrite);

    /// <summary>The socket's TCP_NOTSENT_LOWAT as the kernel reports it (-1 once closed). Any thread, for tests.</summary>
    internal int SocketUnsentLowWatermark => Interop.GetIntOption(_fd, Interop.IpProtoTcp, Interop.TcpNotSentLowat);

    /// <summary>
    /// The layer above, asked to name its work when an application callout of this connection blocks the loop; if it
    /// is an <see cref="IParkOwner"/>, it is also the park's owner (one field for both: the connection is kept small).
    /// </summary>
    internal IBlockedWorkDescriber? WorkDescriber { get; set; }

    private ILogger Logger => _loop.ConnectionLogger;

    /// <summary>Names what the connection is doing, for the guard's warning. Guard thread, while the work is stuck.</summary>
    internal string DescribeWork()
    {
        try
        {
            return WorkDescriber?.DescribeBlockedWork() is { } work ? $"{work} on connection {ConnectionId}" : $"connection {ConnectionId}";
        }
        catch (Exception ex)
        {
            return $"connection {ConnectionId} ({ex.GetType().Name} while describing its work)";
        }
    }

    /// <summary>Dispatches readiness to the side(s) waiting for it. Loop thread only.</summary>
    public void OnEvents(EpollEvents events)
    {
        _loop.Serving(this);
        if (!_persistent)
        {
            _armed = EpollEvents.None; // a one-shot event disarms the whole registration
        }
        if ((events & (EpollEvents.RdHup | EpollEvents.Hup | EpollEvents.Err)) != 0)
        {
            _peerHungUp = true;
        }
        if (_wantRead && (events & (EpollEvents.In | EpollEvents.RdHup | EpollEvents.Hup | EpollEvents.Err)) != 0)
        {
            _wantRead = false;
            Receive();
        }
        if (_wantWrite && (events & (EpollEvents.Out | EpollEvents.Hup | EpollEvents.Err)) != 0)
        {
            _wantWrite = false;
            ResumeSend();
        }
        UpdateInterest();
    }

    /// <summary>
    /// One-shot mode: re-arms (EPOLL_CTL_MOD) the directions that hit EAGAIN and are not armed yet. Called at the
    /// end of every loop entry point. Persistent mode registered everything once and never re-arms. Loop thread only.
    /// </summary>
    private void UpdateInterest()
    {
        if (_persistent || _closed)
        {
            return;
        }
        EpollEvents wanted = (_wantRead ? EpollEvents.In | EpollEvents.RdHup : EpollEvents.None)
            | (_wantWrite ? EpollEvents.Out : EpollEvents.None);
        if ((wanted & ~_armed) == EpollEvents.None)
        {
            return;
        }
        wanted |= _armed;
        if (!_loop.TryModify(_fd, _token, wanted | EpollEvents.EdgeTriggered | EpollEvents.OneShot))
        {
            Logger.LogError("epoll_ctl(MOD) failed on connection {ConnectionId}: {Errno}", ConnectionId, Interop.LastErrno);
            AbortOnLoop(new ConnectionAbortedException("epoll_ctl failed."));
            return;
        }
        _armed = wanted;
    }
}

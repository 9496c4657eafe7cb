using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll;

/// <summary>
/// A bound endpoint: one SO_REUSEPORT listening socket per loop (the kernel balances connections between them),
/// all feeding one channel that <see cref="AcceptAsync"/> reads. A Unix socket listener has one socket, with one
/// descriptor of it per loop (<see cref="UnixListenSocket"/>); its file is removed when the last descriptor closes.
/// </summary>
internal sealed class EpollConnectionListener : IConnectionListener
{
    private readonly Channel<EpollConnection> _accepted =
        Channel.CreateUnbounded<EpollConnection>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    private readonly EpollListenSocket[] _sockets;
    private readonly Lock _unbindLock = new();
    private readonly UnixListenSocket? _unix;
    private readonly ILogger _logger;
    private int _openSockets;
    private Task? _unbindTask;

    private EpollConnectionListener(IReadOnlyList<EpollLoop> loops, SafeFdHandle[] sockets, EndPoint endPoint, ILogger logger, DescriptorBudget budget, UnixListenSocket? unix = null)
    {
        EndPoint = endPoint;
        _unix = unix;
        _logger = logger;
        _openSockets = sockets.Length;
        _sockets = new EpollListenSocket[sockets.Length];
        for (int i = 0; i < sockets.Length; i++)
        {
            _sockets[i] = new EpollListenSocket(loops[i], this, sockets[i], endPoint, logger, budget, shared: unix is not null);
        }
    }

    /// <inheritdoc />
    public EndPoint EndPoint { get; }

    /// <summary>Opens and registers the listening sockets on every loop.</summary>
    public static async Task<EpollConnectionListener> BindAsync(
        IReadOnlyList<EpollLoop> loops, IPEndPoint endPoint, int backlog, ILogger logger, DescriptorBudget budget)
    {
        SafeFdHandle[] sockets = ListenSocket.OpenGroup(endPoint, loops.Count, backlog, out IPEndPoint bound);
        var listener = new EpollConnectionListener(loops, sockets, bound, logger, budget);
        await listener.RegisterAsync();
        return listener;
    }

    /// <summary>Opens a Unix domain socket and registers one descriptor of it on every loop.</summary>
    public static async Task<EpollConnectionListener> BindUnixAsync(
        IReadOnlyList<EpollLoop> loops, UnixDomainSocketEndPoint endPoint, int backlog, ILogger logger, DescriptorBudget budget)
    {
        var unix = UnixListenSocket.Open(endPoint, loops.Count, backlog, logger);
        var listener = new EpollConnectionListener(loops, unix.Sockets, endPoint, logger, budget, unix);
        try
        {
            await listener.RegisterAsync();
        }
        catch
        {
            await listener.DisposeAsync();
            throw;
        }
        return listener;
    }

    /// <summary>One of the listening sockets closed (on its loop); after the last, a Unix socket's file is removed.</summary>
    internal void OnSocketClosed()
    {
        if (Interlocked.Decrement(ref _openSockets) == 0)
        {
            _unix?.DeleteFile(_logger);
        }
    }

    private Task RegisterAsync()
        => Task.WhenAll(_sockets.Select(s => s.Loop.InvokeAsync(static x => ((EpollListenSocket)x!).Register(), s)));

    /// <summary>Hands an accepted connection to <see cref="AcceptAsync"/>. Loop thread.</summary>
    internal bool TryPublish(EpollConnection connection) => _accepted.Writer.TryWrite(connection);

    /// <summary>Ends <see cref="AcceptAsync"/> (it returns null once the queue is empty). Any thread.</summary>
    internal void CompleteAccepting() => _accepted.Writer.TryComplete();

    /// <inheritdoc />
    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await _accepted.Reader.WaitToReadAsync(cancellationToken))
        {
            if (_accepted.Reader.TryRead(out EpollConnection? connection))
            {
                return connection;
            }
        }
        return null;
    }

    /// <inheritdoc />
    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        lock (_unbindLock)
        {
            _unbindTask ??= UnbindCoreAsync();
        }
        return new ValueTask(_unbindTask.WaitAsync(cancellationToken));
    }

    /// <summary>Unbinds; connections already handed out keep working (their owner aborts or disposes them).</summary>
    public ValueTask DisposeAsync() => UnbindAsync();

    private async Task UnbindCoreAsync()
    {
        await Task.WhenAll(_sockets.Select(s => s.CloseAsync()));
        CompleteAccepting();
        // Accepted by the kernel but never handed out: nobody else will close them.
        while (_accepted.Reader.TryRead(out EpollConnection? orphan))
        {
            orphan.Abort(new ConnectionAbortedException("The listener was unbound."));
        }
    }
}

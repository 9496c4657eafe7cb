using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EventCore.Transport.Epoll;

/// <summary>
/// A bound endpoint: one SO_REUSEPORT listening socket per loop (the kernel balances connections between them),
/// all feeding one channel that <see cref="AcceptAsync"/> reads.
/// </summary>
internal sealed class EpollConnectionListener : IConnectionListener
{
    private readonly Channel<EpollConnection> _accepted =
        Channel.CreateUnbounded<EpollConnection>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    private readonly EpollListenSocket[] _sockets;
    private readonly Lock _unbindLock = new();
    private Task? _unbindTask;

    private EpollConnectionListener(IReadOnlyList<EpollLoop> loops, SafeFdHandle[] sockets, IPEndPoint endPoint, ILogger logger, DescriptorBudget budget)
    {
        EndPoint = endPoint;
        _sockets = new EpollListenSocket[sockets.Length];
        for (int i = 0; i < sockets.Length; i++)
        {
            _sockets[i] = new EpollListenSocket(loops[i], this, sockets[i], endPoint, logger, budget);
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
        await Task.WhenAll(listener._sockets.Select(s => s.Loop.InvokeAsync(static x => ((EpollListenSocket)x!).Register(), s)));
        return listener;
    }

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

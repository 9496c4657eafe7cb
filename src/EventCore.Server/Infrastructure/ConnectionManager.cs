using System.Collections.Concurrent;
using EventCore.Server.Http1;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// The set of open connections of one server: counted for <c>MaxConcurrentConnections</c> and walked by shutdown, and
/// their <see cref="ConnectionTimers"/> (the heartbeat visits only the connections those name, never this whole set).
/// Thread-safe; touched once per connection open/close, never per request.
/// </summary>
internal sealed class ConnectionManager
{
    private readonly ConcurrentDictionary<long, Http1Connection> _connections = new();
    private readonly Lock _emptyLock = new();
    private TaskCompletionSource? _whenEmpty;
    private long _lastId;

    public int Count => _connections.Count;

    /// <summary>The idle wheel and active list the heartbeat ticks.</summary>
    public ConnectionTimers Timers { get; } = new();

    public long NextId() => Interlocked.Increment(ref _lastId);

    public void Add(long id, Http1Connection connection) => _connections[id] = connection;

    public void Remove(long id)
    {
        if (_connections.TryRemove(id, out var connection))
        {
            connection?.OnRemoved(); // (a test registers null)
        }

        if (_connections.IsEmpty)
        {
            lock (_emptyLock)
            {
                _whenEmpty?.TrySetResult();
            }
        }
    }

    /// <summary>Calls <paramref name="action"/> for every open connection (a moment-in-time walk; connections may come and go).</summary>
    public void ForEach<TState>(Action<Http1Connection, TState> action, TState state)
    {
        foreach (var pair in _connections)
        {
            action(pair.Value, state);
        }
    }

    /// <summary>Completes when no connection is open.</summary>
    public Task WhenEmptyAsync()
    {
        lock (_emptyLock)
        {
            if (_connections.IsEmpty)
            {
                return Task.CompletedTask;
            }

            _whenEmpty ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _whenEmpty.Task;
        }
    }
}

using EventCore.Server.Http1;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// The set of open connections of one server: counted for <c>MaxConcurrentConnections</c> and walked by shutdown, and
/// their <see cref="ConnectionTimers"/> (the heartbeat visits only the connections those name, never this whole set).
/// The set is a list linked through the connections themselves (<see cref="Http1Connection.Registry"/>), so an open
/// connection costs it no node of its own: at 10,000 idle connections a dictionary's nodes and buckets were ~60 bytes
/// of heap each, a tenth of the connection's.
/// Thread-safe (one lock); touched once per connection open/close, never per request.
/// </summary>
internal sealed class ConnectionManager
{
    private readonly Lock _lock = new();
    private Http1Connection? _first;
    private int _count;
    private TaskCompletionSource? _whenEmpty;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The idle wheel and active list the heartbeat ticks.</summary>
    public ConnectionTimers Timers { get; } = new();

    /// <summary>Adds an open connection (once, before it serves).</summary>
    public void Add(Http1Connection connection)
    {
        lock (_lock)
        {
            ref var links = ref connection.Registry;
            links.Next = _first;
            if (_first is not null)
            {
                _first.Registry.Previous = connection;
            }

            _first = connection;
            _count++;
        }
    }

    /// <summary>Removes a connection when it has ended (nothing happens if it is not in the set).</summary>
    public void Remove(Http1Connection connection)
    {
        lock (_lock)
        {
            ref var links = ref connection.Registry;
            if (links.Previous is null && !ReferenceEquals(_first, connection))
            {
                return; // not in the set (the first connection is the one with no previous)
            }

            if (links.Previous is { } previous)
            {
                previous.Registry.Next = links.Next;
            }
            else
            {
                _first = links.Next;
            }

            if (links.Next is { } next)
            {
                next.Registry.Previous = links.Previous;
            }

            links = default;
            if (--_count == 0 && _whenEmpty is { } whenEmpty)
            {
                _whenEmpty = null; // the set may fill again: a later wait needs a task of its own
                whenEmpty.TrySetResult();
            }
        }

        connection.OnRemoved();
    }

    /// <summary>
    /// Calls <paramref name="action"/> for every open connection (a moment-in-time walk; connections may come and go).
    /// The action runs outside the lock, on a copy of the set: it may close connections. Shutdown and tests only.
    /// </summary>
    public void ForEach<TState>(Action<Http1Connection, TState> action, TState state)
    {
        Http1Connection[] open;
        lock (_lock)
        {
            open = new Http1Connection[_count];
            var i = 0;
            for (var c = _first; c is not null; c = c.Registry.Next)
            {
                open[i++] = c;
            }
        }

        foreach (var connection in open)
        {
            action(connection, state);
        }
    }

    /// <summary>Completes when no connection is open.</summary>
    public Task WhenEmptyAsync()
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                return Task.CompletedTask;
            }

            _whenEmpty ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _whenEmpty.Task;
        }
    }
}

/// <summary>A connection's place in its server's <see cref="ConnectionManager"/> (that manager's lock only).</summary>
internal struct RegistryLinks
{
    public Http1Connection? Previous;
    public Http1Connection? Next;
}

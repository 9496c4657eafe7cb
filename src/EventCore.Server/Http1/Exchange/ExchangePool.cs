using System.Collections.Concurrent;
using EventCore.Server.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;

namespace EventCore.Server.Http1;

/// <summary>
/// The server's exchanges not serving a request now. Any thread: a connection rents on whatever thread its request
/// loop runs (an epoll loop, the thread pool). Bounded: beyond <see cref="MaxPooled"/> a returned exchange is left to
/// the garbage collector, so a burst of concurrent requests does not pin its memory for good. A
/// <see cref="ConcurrentBag{T}"/> because it is last in, first out per thread: a loop's next request gets the exchange
/// its last request returned, whose memory is still in cache (connections return theirs after every request).
/// </summary>
internal sealed class ExchangePool<TContext>(ServiceContext service, IHttpApplication<TContext> application)
    where TContext : notnull
{
    /// <summary>Exchanges kept for reuse at most.</summary>
    internal const int MaxPooled = 1024;

    private readonly ConcurrentBag<Http1Exchange<TContext>> _idle = [];

    /// <summary>Exchanges in the pool now; for tests.</summary>
    internal int Count => _idle.Count;

    public Http1Exchange<TContext> Rent() => _idle.TryTake(out var exchange) ? exchange : new Http1Exchange<TContext>(service, application);

    public void Return(Http1Exchange<TContext> exchange)
    {
        if (_idle.Count < MaxPooled)
        {
            _idle.Add(exchange);
        }
    }
}

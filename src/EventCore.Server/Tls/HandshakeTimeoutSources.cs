using System.Collections.Concurrent;

namespace EventCore.Server.Tls;

/// <summary>
/// The cancellation sources that bound handshakes (HandshakeTimeout), reused: a handshake that ends in time gives its
/// source back, reset, so a new connection does not allocate one (nor its timer). About <see cref="MaxPooled"/> are
/// kept at most. Any thread, without locks: a handshake can start on a loop thread.
/// </summary>
internal sealed class HandshakeTimeoutSources
{
    private const int MaxPooled = 256;

    private readonly ConcurrentQueue<CancellationTokenSource> _pool = new();
    private int _pooled;

    /// <summary>A source that cancels after <paramref name="timeout"/>.</summary>
    public CancellationTokenSource Rent(TimeSpan timeout)
    {
        if (_pool.TryDequeue(out var source))
        {
            Interlocked.Decrement(ref _pooled);
        }
        else
        {
            source = new CancellationTokenSource();
        }

        source.CancelAfter(timeout);
        return source;
    }

    /// <summary>Gives back a source whose handshake has ended; one that fired (it cannot be reset) or finds the pool full is disposed.</summary>
    public void Return(CancellationTokenSource source)
    {
        if (!source.TryReset())
        {
            source.Dispose();
            return;
        }

        if (Interlocked.Increment(ref _pooled) > MaxPooled)
        {
            Interlocked.Decrement(ref _pooled);
            source.Dispose();
            return;
        }

        _pool.Enqueue(source);
    }
}

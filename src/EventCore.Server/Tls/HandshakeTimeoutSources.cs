namespace EventCore.Server.Tls;

/// <summary>
/// The cancellation sources that bound handshakes (HandshakeTimeout), reused: a handshake that ends in time gives its
/// source back, reset, so a new connection does not allocate one (nor its timer). At most <see cref="MaxPooled"/> are
/// kept. Any thread.
/// </summary>
internal sealed class HandshakeTimeoutSources
{
    private const int MaxPooled = 256;

    private readonly Stack<CancellationTokenSource> _pool = new();
    private readonly Lock _lock = new();

    /// <summary>A source that cancels after <paramref name="timeout"/>.</summary>
    public CancellationTokenSource Rent(TimeSpan timeout)
    {
        CancellationTokenSource? source = null;
        lock (_lock)
        {
            _pool.TryPop(out source);
        }

        source ??= new CancellationTokenSource();
        source.CancelAfter(timeout);
        return source;
    }

    /// <summary>Gives back a source whose handshake has ended; one that fired (or cannot be reset) is disposed.</summary>
    public void Return(CancellationTokenSource source)
    {
        if (!source.TryReset())
        {
            source.Dispose();
            return;
        }

        lock (_lock)
        {
            if (_pool.Count < MaxPooled)
            {
                _pool.Push(source);
                return;
            }
        }

        source.Dispose();
    }
}

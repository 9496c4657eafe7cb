namespace EventCore.Cgi.Tests.Support;

/// <summary>Collects gen0 every 100 ms until disposed, so a peak-memory measure sees what is held, not uncollected garbage.</summary>
internal sealed class Gen0Collector : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private Gen0Collector() => _loop = RunAsync();

    public static Gen0Collector Start() => new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}

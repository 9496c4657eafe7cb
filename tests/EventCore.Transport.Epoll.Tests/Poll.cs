namespace EventCore.Transport.Epoll.Tests;

internal static class Poll
{
    /// <summary>Waits (generously, for a loaded machine) until <paramref name="condition"/> holds.</summary>
    public static async Task UntilAsync(Func<bool> condition, string? because = null)
    {
        DateTime deadline = DateTime.UtcNow + TestServer.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, because ?? "condition not met in time");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Waits (generously) until <paramref name="progress"/> has not moved for <paramref name="quiet"/> while
    /// <paramref name="parked"/> held at every look, and returns it: a pipeline that filled up and stays full. A fixed
    /// sleep would look too early on a stalled machine and see it still moving; here a stall only makes the wait longer
    /// (or ends it at a smaller value). <paramref name="check"/> sees every value looked at, so a bound fails fast.
    /// </summary>
    public static async Task<long> UntilStillAsync(
        Func<long> progress, Func<bool> parked, TimeSpan quiet, string because, Action<long>? check = null)
    {
        DateTime deadline = DateTime.UtcNow + TestServer.Timeout;
        long last = progress();
        DateTime stillSince = DateTime.UtcNow;
        while (true)
        {
            bool isParked = parked();
            long now = progress();
            check?.Invoke(now);
            if (now != last || !isParked)
            {
                last = now;
                stillSince = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - stillSince >= quiet)
            {
                return now;
            }

            Assert.True(DateTime.UtcNow < deadline, because);
            await Task.Delay(20);
        }
    }
}

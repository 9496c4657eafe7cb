namespace EventCore.Sites.Tests.Support;

/// <summary>Waits for a condition the server makes true in its own time (a file written, a process reaped): checked every 20 ms, at most 30 s.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not within 30 s: " + what);
            await timer.WaitForNextTickAsync(TestContext.Current.CancellationToken);
        }
    }
}

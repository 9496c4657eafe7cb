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
}

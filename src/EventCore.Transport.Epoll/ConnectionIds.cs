namespace EventCore.Transport.Epoll;

/// <summary>Connection ids like Kestrel's: a process-wide counter seeded from the clock, in base32 (13 chars).</summary>
internal static class ConnectionIds
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
    private static long s_last = DateTime.UtcNow.Ticks;

    public static string Next() => Format(NextNumber());

    /// <summary>The next id as a number (never 0), to be formatted when needed (<see cref="Format"/>).</summary>
    public static long NextNumber() => Interlocked.Increment(ref s_last);

    /// <summary>An id number's string; the same number gives an equal string.</summary>
    public static string Format(long id)
    {
        return string.Create(13, id, static (span, value) =>
        {
            for (int i = span.Length - 1; i >= 0; i--)
            {
                span[i] = Alphabet[(int)(value & 31)];
                value >>= 5;
            }
        });
    }
}

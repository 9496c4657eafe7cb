using System.Text;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// The <c>Date</c> header value, formatted once a second by a timer instead of per response (RFC 9110 §5.6.7 format).
/// Readers on any thread see an immutable snapshot; the timer swaps the whole snapshot atomically.
/// </summary>
internal sealed class DateHeaderCache : IDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly ITimer _timer;
    private DateHeaderValue _current;

    public DateHeaderCache(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _current = Format(timeProvider.GetUtcNow());
        _timer = timeProvider.CreateTimer(static s => ((DateHeaderCache)s!).Refresh(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>The current value; safe to read from any thread.</summary>
    public DateHeaderValue Current => Volatile.Read(ref _current);

    public void Refresh() => Volatile.Write(ref _current, Format(_timeProvider.GetUtcNow()));

    public void Dispose() => _timer.Dispose();

    private static DateHeaderValue Format(DateTimeOffset now)
    {
        var text = now.ToString("r", System.Globalization.CultureInfo.InvariantCulture);
        return new DateHeaderValue(text, Encoding.ASCII.GetBytes($"Date: {text}\r\n"));
    }
}

/// <summary>One formatted Date value, as a string and as the whole ASCII header line <c>Date: …\r\n</c> (one copy to the wire).</summary>
internal sealed record DateHeaderValue(string Text, byte[] HeaderLine);

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EventCore.Cgi.Tests.Support;

/// <summary>Keeps every log line of a test host, so tests can check what was logged (and show it when they fail).</summary>
internal sealed class TestLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> _lines = new();

    public IReadOnlyCollection<LogLine> Lines => _lines;

    public IEnumerable<LogLine> Cgi => _lines.Where(l => l.Category == "EventCore.Cgi");

    /// <summary>EventCore's blocked-loop guard: a loop thread was held by a call out of the loop.</summary>
    public IEnumerable<LogLine> BlockedLoop => _lines.Where(l => l.Category.EndsWith("BlockedLoopGuard", StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    public override string ToString() => string.Join('\n', _lines.Select(l => $"{l.Level} {l.Category}: {l.Message}"));

    public sealed record LogLine(string Category, LogLevel Level, string Message, Exception? Exception);

    private sealed class Logger(string category, ConcurrentQueue<LogLine> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(new LogLine(category, logLevel, formatter(state, exception), exception));
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EventCore.FunctionalTests.Listening;

/// <summary>Keeps every log message of a host (category, level, text), for tests that check what was logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> _entries = new();
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Entries => [.. _entries];

    /// <summary>How many messages of <paramref name="level"/> contain <paramref name="text"/>.</summary>
    public int Count(LogLevel level, string text) => _entries.Count(e => e.Level == level && e.Message.Contains(text, StringComparison.Ordinal));

    /// <summary>
    /// Completes once a message of <paramref name="level"/> containing <paramref name="text"/> has been logged; fails
    /// (with what was logged) if none comes within a minute.
    /// </summary>
    public async Task WaitForAsync(LogLevel level, string text, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromMinutes(1));
        try
        {
            while (true)
            {
                var added = Volatile.Read(ref _added).Task;
                if (Count(level, text) > 0)
                {
                    return;
                }

                await added.WaitAsync(limit.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"No {level} message containing '{text}' was logged. Logged:\n{string.Join('\n', _entries.Select(e => $"{e.Level} {e.Category}: {e.Message}"))}");
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner._entries.Enqueue((category, logLevel, formatter(state, exception)));
            Interlocked.Exchange(ref owner._added, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }
}

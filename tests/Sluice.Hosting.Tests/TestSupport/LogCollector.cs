using Microsoft.Extensions.Logging;

namespace Sluice.Hosting.Tests.TestSupport;

/// <summary>One log call as the hosted pipeline made it: its event, level, rendered message and named values.</summary>
public sealed record LogEntry(int EventId, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Values)
{
    public object? this[string name] => Values.GetValueOrDefault(name);
}

/// <summary>An <see cref="ILoggerProvider"/> that keeps every entry in memory, for tests that wait on and assert
/// what the host logged.</summary>
public sealed class LogCollector : ILoggerProvider
{
    private readonly List<LogEntry> _entries = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get { lock (_entries) return [.. _entries]; }
    }

    /// <summary>The entries of event <paramref name="eventId"/> (see <c>PipelineLog</c>).</summary>
    public IReadOnlyList<LogEntry> Of(int eventId) => Entries.Where(e => e.EventId == eventId).ToList();

    /// <summary>Waits until <paramref name="count"/> entries of <paramref name="eventId"/> were logged.</summary>
    public void WaitFor(int eventId, int count = 1, int seconds = 20) =>
        Assert.True(SpinWait.SpinUntil(() => Of(eventId).Count >= count, TimeSpan.FromSeconds(seconds)),
            $"event {eventId} was not logged {count} times in {seconds} s; the log:\n{string.Join('\n', Entries.Select(e => e.Message))}");

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose() { }

    private sealed class Logger(LogCollector collector) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            var entry = new LogEntry(eventId.Id, logLevel, formatter(state, exception), values.ToDictionary(v => v.Key, v => v.Value));
            lock (collector._entries)
                collector._entries.Add(entry);
        }
    }
}

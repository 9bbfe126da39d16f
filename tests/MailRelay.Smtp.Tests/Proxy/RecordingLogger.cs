using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MailRelay.Smtp.Tests.Proxy;

/// <summary>Keeps every log event so tests can check what was reported, and at which level.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, int EventId, string Message)> _events = new();

    public IReadOnlyList<(LogLevel Level, int EventId, string Message)> Events => [.. _events];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _events.Enqueue((logLevel, eventId.Id, formatter(state, exception)));
    }
}

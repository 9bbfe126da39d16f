using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>Keeps every formatted log message, for asserting on log lines.</summary>
internal sealed class RecordingLogger : ILogger
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Messages.Enqueue(formatter(state, exception));
}

using Microsoft.Extensions.Logging;

namespace MailRelay.Tests.Support;

/// <summary>Keeps every formatted log message, to check what an operator would read (and what must never appear).</summary>
internal class RecordingLogger : ILogger
{
    private readonly List<string> _messages = [];

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lock (_messages)
        {
            _messages.Add(formatter(state, exception));
        }
    }
}

/// <summary>The same, as the typed logger a class takes in its constructor.</summary>
internal sealed class RecordingLogger<T> : RecordingLogger, ILogger<T>;

using Microsoft.Extensions.Logging;

namespace MailRelay.Tests.Authentication;

/// <summary>Keeps every log event with its level, to check what an operator would read and how loudly.</summary>
internal sealed class LevelRecordingLogger : ILogger<MailRelay.Authentication.UsersFileStore>
{
    private readonly List<(LogLevel Level, string Message)> _events = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lock (_events)
        {
            _events.Add((logLevel, formatter(state, exception)));
        }
    }
}

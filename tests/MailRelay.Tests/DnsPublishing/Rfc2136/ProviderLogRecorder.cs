using MailRelay.DnsPublishing.Rfc2136;
using MailRelay.Tests.Dkim;
using Microsoft.Extensions.Logging;

namespace MailRelay.Tests.DnsPublishing.Rfc2136;

/// <summary>The provider's logger, keeping each formatted message to check what an operator would read.</summary>
internal sealed class ProviderLogRecorder : ILogger<Rfc2136DnsProvider>
{
    private readonly RecordingLogger _inner = new();

    public IReadOnlyList<string> Messages => _inner.Messages;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _inner.Log(logLevel, eventId, state, exception, formatter);
}

using MailRelay.DnsPublishing.Cloudflare;
using MailRelay.Tests.Delivery.Scheduling;
using Microsoft.Extensions.Logging;

namespace MailRelay.Tests.DnsPublishing.Cloudflare;

/// <summary>The provider's logger, keeping every formatted event so tests can look for what must never be logged.</summary>
internal sealed class CloudflareLogRecorder : ILogger<CloudflareDnsProvider>
{
    private readonly RecordingLogger _inner = new();

    public IEnumerable<string> Messages => _inner.Messages;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _inner.Log(logLevel, eventId, state, exception, formatter);
}

using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Smtp.Tests.Proxy;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also reports when a timer is created, so a test can advance
/// time only once the code under test has started its clock.
/// </summary>
internal sealed class TimerSignallingTimeProvider : TimeProvider
{
    private readonly TaskCompletionSource _timerCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeTimeProvider Fake { get; } = new();

    public Task TimerCreated => _timerCreated.Task;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        _timerCreated.TrySetResult();
        return timer;
    }
}

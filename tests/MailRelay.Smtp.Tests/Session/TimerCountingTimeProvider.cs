using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Smtp.Tests.Session;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts the timers the code under test creates, so a test can advance
/// time only once the session has taken in the bytes it was sent and started waiting again.
/// </summary>
internal sealed class TimerCountingTimeProvider : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> waiters = [];
    private int created;

    public FakeTimeProvider Fake { get; } = new();

    public int TimersCreated
    {
        get
        {
            lock (gate)
            {
                return created;
            }
        }
    }

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public void Advance(TimeSpan delta) => Fake.Advance(delta);

    /// <summary>Completes once at least <paramref name="count"/> timers have been created in all.</summary>
    public Task WaitForTimersAsync(int count)
    {
        lock (gate)
        {
            if (created >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((count, reached));
            return reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        lock (gate)
        {
            created++;
            foreach (var waiter in waiters.Where(w => w.Count <= created).ToList())
            {
                waiters.Remove(waiter);
                waiter.Reached.TrySetResult();
            }
        }

        return timer;
    }
}

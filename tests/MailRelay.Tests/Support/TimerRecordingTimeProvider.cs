using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells which timers were created: a test waits until the code under test
/// is really waiting (its delay's timer exists, with the due time it chose) before it advances the clock, instead
/// of advancing into a race.
/// </summary>
internal sealed class TimerRecordingTimeProvider : FakeTimeProvider
{
    private readonly ChangeSignal _created = new();
    private readonly List<TimeSpan> _dueTimes = [];

    /// <summary>The due time of every timer created so far, in order.</summary>
    public IReadOnlyList<TimeSpan> DueTimes
    {
        get
        {
            lock (_dueTimes)
            {
                return [.. _dueTimes];
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_dueTimes)
        {
            _dueTimes.Add(dueTime);
        }

        _created.Raise();
        return timer;
    }

    /// <summary>Completes once <paramref name="count"/> timers exist; the caller then reads <see cref="DueTimes"/>.</summary>
    public Task WaitForTimersAsync(int count, TimeSpan limit) => _created.WaitUntilAsync(() => DueTimes.Count >= count, limit);
}

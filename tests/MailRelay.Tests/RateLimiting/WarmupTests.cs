using MailRelay.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.RateLimiting;

public sealed class WarmupTests
{
    private static readonly WarmupSchedule Schedule = new(new DateOnly(2026, 3, 1), WarmupSchedule.SeedCaps);

    [Theory]
    [InlineData("2026-02-27T10:00:00Z", 20)]
    [InlineData("2026-03-01T00:00:00Z", 20)]
    [InlineData("2026-03-01T23:59:59Z", 20)]
    [InlineData("2026-03-02T00:00:00Z", 40)]
    [InlineData("2026-03-02T01:30:00+02:00", 20)]
    [InlineData("2026-03-04T12:00:00Z", 150)]
    [InlineData("2026-03-07T23:59:59Z", 1000)]
    public void The_cap_follows_utc_days_from_the_start_date(string now, int cap)
    {
        Assert.Equal(cap, Schedule.CapOn(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void After_the_last_day_there_is_no_cap()
    {
        Assert.Null(Schedule.CapOn(new DateTimeOffset(2026, 3, 8, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Sends_over_the_day_cap_wait_for_the_next_utc_day()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 23, 0, 0, TimeSpan.Zero));
        var counter = new WarmupCounter(Schedule, time);

        var allowed = Enumerable.Range(0, 25).Count(_ => counter.TryConsume(out DateTimeOffset _));
        var refused = counter.TryConsume(out var retryAt);

        Assert.Equal(20, allowed);
        Assert.False(refused);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), retryAt);

        time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromTicks(1));
        Assert.False(counter.TryConsume(out _));
        time.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(0, counter.SentToday);
        Assert.Equal(40, Enumerable.Range(0, 50).Count(_ => counter.TryConsume(out DateTimeOffset _)));
    }
}

using MailRelay.Delivery.Scheduling;
using MailRelay.Tests.Queue;

namespace MailRelay.Tests.Delivery.Scheduling;

public sealed class RetryPolicyTests
{
    private static readonly DateTimeOffset Arrival = SpoolFixtures.Start;
    private static readonly TimeSpan[] Schedule = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)];

    [Fact]
    public void Each_deferral_waits_its_schedule_entry_and_the_last_one_repeats()
    {
        var policy = new RetryPolicy(Schedule, TimeSpan.FromDays(5), jitter: 0, new Random(1));
        var now = Arrival.AddHours(1);

        Assert.Equal(now.AddMinutes(1), policy.NextAttempt(1, now, Arrival));
        Assert.Equal(now.AddMinutes(5), policy.NextAttempt(2, now, Arrival));
        Assert.Equal(now.AddMinutes(15), policy.NextAttempt(3, now, Arrival));
        Assert.Equal(now.AddMinutes(15), policy.NextAttempt(9, now, Arrival));
    }

    [Fact]
    public void Jitter_stays_within_ten_percent_and_varies()
    {
        var policy = new RetryPolicy(Schedule, TimeSpan.FromDays(5), jitter: 0.1, new Random(3));
        var delays = Enumerable.Range(0, 200).Select(_ => policy.NextAttempt(3, Arrival, Arrival) - Arrival).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromMinutes(13.5), TimeSpan.FromMinutes(16.5)));
        Assert.True(delays.Distinct().Count() > 100);
    }

    [Fact]
    public void No_attempt_is_planned_past_the_queue_lifetime()
    {
        var policy = new RetryPolicy(Schedule, TimeSpan.FromMinutes(10), jitter: 0, new Random(1));

        Assert.Equal(Arrival.AddMinutes(10), policy.NextAttempt(3, Arrival.AddMinutes(8), Arrival));
        Assert.False(policy.IsExpired(Arrival, Arrival.AddMinutes(10) - TimeSpan.FromTicks(1)));
        Assert.True(policy.IsExpired(Arrival, Arrival.AddMinutes(10)));
    }
}

using System.Net;
using MailRelay.Delivery;
using MailRelay.Queue;
using MailRelay.RateLimiting;
using MailRelay.Tests.Queue;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>Delivery pacing applied by the scheduler: provider queues, slots, backoff, the breaker and ceilings.</summary>
public sealed class PacedDeliveryTests
{
    private static readonly DateTimeOffset T0 = SpoolFixtures.Start;
    private static readonly ProviderKey Google = new("google.com");

    [Fact]
    public async Task Messages_to_one_provider_go_one_adaptive_delay_apart()
    {
        await using var harness = new SchedulerHarness(pacing: PacingFixtures.Registry("""{"initialDelay":5000,"minDelay":1000}"""));
        await harness.StartAsync();
        var ids = new[]
        {
            await harness.SubmitAsync("app@example.com", "one@gmail.com"),
            await harness.SubmitAsync("app@example.com", "two@gmail.com"),
            await harness.SubmitAsync("app@example.com", "three@gmail.com"),
        };

        await harness.Events.NextAttemptAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        await harness.Events.NextAttemptAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        await harness.Events.RemovedAsync(ids);

        Assert.Equal([T0, T0.AddSeconds(5), T0.AddSeconds(10)], harness.Transport.Requests.Select(r => r.At).Order());
    }

    [Fact]
    public async Task Domains_of_one_provider_share_its_pace_and_other_providers_are_not_held_back()
    {
        await using var harness = new SchedulerHarness(pacing: PacingFixtures.Registry("""{"initialDelay":5000}"""));
        harness.Transport.Providers["alpha.test"] = "provider.test";
        harness.Transport.Providers["beta.test"] = "provider.test";
        await harness.StartAsync();
        var alpha = await harness.SubmitAsync("app@example.com", "user@alpha.test");
        var beta = await harness.SubmitAsync("app@example.com", "user@beta.test");
        var other = await harness.SubmitAsync("app@example.com", "user@example.org");

        await harness.Events.RemovedAsync(alpha, other);
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        await harness.Events.RemovedAsync(beta);

        var at = harness.Transport.Requests.ToDictionary(r => r.Request.Domain, r => r.At);
        Assert.Equal(T0, at["alpha.test"]);
        Assert.Equal(T0, at["example.org"]);
        Assert.Equal(T0.AddSeconds(5), at["beta.test"]);
        Assert.Equal(new ProviderKey("provider.test"), harness.Pacing!.Resolver.ForDomain("beta.test"));
    }

    [Fact]
    public async Task A_domain_that_cannot_be_classified_is_paced_under_its_own_key()
    {
        await using var harness = new SchedulerHarness(pacing: PacingFixtures.Registry("""{"initialDelay":5000}"""));
        harness.Transport.Unroutable.Add("flaky-dns.test");
        await harness.StartAsync();
        var first = await harness.SubmitAsync("app@example.com", "one@flaky-dns.test");
        var second = await harness.SubmitAsync("app@example.com", "two@flaky-dns.test");

        await harness.Events.RemovedAsync(first);
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        await harness.Events.RemovedAsync(second);

        Assert.Equal([T0, T0.AddSeconds(5)], harness.Transport.Requests.Select(r => r.At));
        Assert.All(harness.Transport.Requests, r => Assert.Equal("flaky-dns.test", r.Request.Pacing?.PoolKey));
    }

    [Fact]
    public async Task Waiting_for_a_slot_is_not_an_attempt_and_leaves_the_retry_schedule_alone()
    {
        await using var harness = new SchedulerHarness(pacing: PacingFixtures.Registry("""{"initialDelay":30000,"maxDelay":60000}"""));
        await harness.StartAsync();
        await harness.SubmitAsync("app@example.com", "first@gmail.com");
        var waiting = await harness.SubmitAsync("app@example.com", "second@gmail.com");
        await harness.Events.NextAttemptAsync();
        await WaitForAsync(() => harness.Scheduler.PacedWaiting == 1);

        var state = harness.StateOf(waiting).For("second@gmail.com");
        Assert.Equal(RecipientStatus.Pending, state.Status);
        Assert.Equal(0, state.Attempts);
        Assert.Null(state.NextAttempt);

        harness.Time.Advance(TimeSpan.FromSeconds(30));
        await harness.Events.RemovedAsync(waiting);
        Assert.Equal(T0.AddSeconds(30), harness.Transport.For("second@gmail.com").Single().At);
    }

    [Fact]
    public async Task A_rate_limit_reply_slows_the_provider_and_defers_the_message_on_its_schedule()
    {
        await using var harness = new SchedulerHarness(
            pacing: PacingFixtures.Registry("""{"initialDelay":2000,"minDelay":1000,"maxDelay":60000,"backoffMultiplier":2}"""));
        harness.Transport.Respond = (_, r) => RateLimited(r);
        await harness.StartAsync();
        var id = await harness.SubmitAsync("app@example.com", "user@gmail.com");

        await harness.Events.NextAttemptAsync();

        Assert.Equal(TimeSpan.FromSeconds(4), harness.Pacing!.Controller(Google).CurrentDelay);
        var state = harness.StateOf(id).For("user@gmail.com");
        Assert.Equal(RecipientStatus.Deferred, state.Status);
        Assert.Equal(T0 + TimeSpan.FromMinutes(1), state.NextAttempt);
    }

    [Fact]
    public async Task Other_temporary_failures_do_not_slow_the_provider()
    {
        await using var harness = new SchedulerHarness(pacing: PacingFixtures.Registry("""{"initialDelay":2000,"backoffMultiplier":2}"""));
        harness.Transport.Respond = (_, r) => FakeTransport.Deferred(r, "mailbox full");
        await harness.StartAsync();
        await harness.SubmitAsync("app@example.com", "user@gmail.com");

        await harness.Events.NextAttemptAsync();

        Assert.Equal(TimeSpan.FromSeconds(2), harness.Pacing!.Controller(Google).CurrentDelay);
    }

    [Fact]
    public async Task The_circuit_breaker_pauses_the_provider_then_lets_one_probe_through()
    {
        await using var harness = new SchedulerHarness(pacing: PacingFixtures.Registry(
            """{"initialDelay":1000,"minDelay":1000,"backoffMultiplier":2,"circuitBreakerThreshold":2,"circuitBreakerDuration":60000}"""));
        var attempts = 0;
        harness.Transport.Respond = (_, r) => Interlocked.Increment(ref attempts) <= 2 ? RateLimited(r) : FakeTransport.Delivered(r);
        await harness.StartAsync();
        await harness.SubmitAsync("app@example.com", "one@gmail.com");
        await harness.SubmitAsync("app@example.com", "two@gmail.com");
        var third = await harness.SubmitAsync("app@example.com", "three@gmail.com");

        await harness.Events.NextAttemptAsync();

        // The second slot is 1 s after the first, or 2 s if the first reply was counted before it was claimed.
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        await harness.Events.NextAttemptAsync();
        Assert.Equal(CircuitState.Open, harness.Pacing!.Controller(Google).State);

        harness.Time.Advance(TimeSpan.FromSeconds(60));
        await harness.Events.NextAttemptAsync();

        var requests = harness.Transport.Requests.ToList();
        Assert.Equal([T0, T0.AddSeconds(2), T0.AddSeconds(62)], requests.Select(r => r.At));
        Assert.Equal(["three@gmail.com"], requests[2].Request.Recipients);
        Assert.Equal(CircuitState.Closed, harness.Pacing.Controller(Google).State);
        Assert.False(harness.Exists(third));
    }

    [Fact]
    public async Task The_connection_ceiling_holds_however_many_workers_and_messages()
    {
        const int Messages = 8;
        await using var harness = new SchedulerHarness(pacing: PacingFixtures.Registry(
            adaptive: false, rateLimit: true, rateLimitDomains: """{"gmail.com":{"maxConnections":1,"maxPerConnection":3}}"""));
        using var allow = new SemaphoreSlim(0);
        harness.Transport.BeforeReply = (_, ct) => allow.WaitAsync(ct);
        await harness.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < Messages; i++)
        {
            ids.Add(await harness.SubmitAsync("app@example.com", $"user{i}@gmail.com"));
        }

        for (var delivered = 0; delivered < Messages; delivered++)
        {
            var inTransport = delivered + 1;
            await WaitForAsync(() => harness.Transport.Requests.Count > inTransport
                || (harness.Transport.Requests.Count == inTransport && harness.Scheduler.PacedWaiting == Messages - inTransport));
            Assert.Equal(inTransport, harness.Transport.Requests.Count);
            allow.Release();
        }

        await harness.Events.RemovedAsync([.. ids]);
        Assert.Equal(1, harness.Transport.MaxConcurrent);
        var paced = harness.Transport.Requests.Select(r => r.Request.Pacing! with { Lease = null }).ToList();
        Assert.All(paced, p => Assert.Equal(new PacedConnection("google.com", 3, CeilingKey: "google.com", GlobalCeiling: false), p));
    }

    [Fact]
    public async Task A_static_rate_and_gap_hold_with_adaptive_pacing_off()
    {
        await using var harness = new SchedulerHarness(pacing: PacingFixtures.Registry(
            adaptive: false, rateLimit: true, rateLimitDomains: """{"gmail.com":{"rate":"2/10s","delayMs":3000}}"""));
        await harness.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await harness.SubmitAsync("app@example.com", $"user{i}@gmail.com"));
        }

        await harness.Events.NextAttemptAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(3));
        await harness.Events.NextAttemptAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(7));
        await harness.Events.RemovedAsync([.. ids]);

        // Two in any 10 s and 3 s apart: the third waits for the window, not just the gap.
        Assert.Equal([T0, T0.AddSeconds(3), T0.AddSeconds(10)], harness.Transport.Requests.Select(r => r.At).Order());
    }

    [Fact]
    public async Task A_custom_domain_gets_its_own_connection_scope_under_its_provider()
    {
        await using var harness = new SchedulerHarness(pacing: PacingFixtures.Registry(
            adaptive: false, rateLimit: true, rateLimitCustomDomains: """{"corp.test":{"maxConnections":1,"maxPerConnection":2}}"""));
        harness.Transport.Providers["corp.test"] = "provider.test";
        harness.Transport.Providers["other.test"] = "provider.test";
        await harness.StartAsync();
        var corp = await harness.SubmitAsync("app@example.com", "user@corp.test");
        var other = await harness.SubmitAsync("app@example.com", "user@other.test");

        await harness.Events.RemovedAsync(corp, other);

        var paced = harness.Transport.Requests.ToDictionary(r => r.Request.Domain, r => r.Request.Pacing! with { Lease = null });
        Assert.Equal(new PacedConnection("provider.test|corp.test", 2, CeilingKey: "provider.test|corp.test", GlobalCeiling: false), paced["corp.test"]);
        Assert.Equal(new PacedConnection("provider.test", null, CeilingKey: null, GlobalCeiling: false), paced["other.test"]);
    }

    [Fact]
    public async Task A_held_message_waiting_for_its_slot_is_not_attempted()
    {
        await using var harness = new SchedulerHarness(pacing: PacingFixtures.Registry("""{"initialDelay":10000}"""));
        await harness.StartAsync();
        await harness.SubmitAsync("app@example.com", "first@gmail.com");
        var held = await harness.SubmitAsync("app@example.com", "second@gmail.com");
        await harness.Events.NextAttemptAsync();
        await WaitForAsync(() => harness.Scheduler.PacedWaiting == 1);

        await HoldAsync(harness, held);
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        await WaitForAsync(() => harness.Scheduler.PacedWaiting == 0);
        await harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);

        Assert.Empty(harness.Transport.For("second@gmail.com"));
        Assert.True(harness.Exists(held));
    }

    [Fact]
    public async Task A_message_paced_past_its_lifetime_bounces_without_a_connection()
    {
        await using var harness = new SchedulerHarness(
            configure: o => o with { QueueLifetime = TimeSpan.FromSeconds(30) },
            pacing: PacingFixtures.Registry("""{"initialDelay":60000,"maxDelay":60000}"""));
        await harness.StartAsync();
        await harness.SubmitAsync("app@example.com", "first@gmail.com");
        var late = await harness.SubmitAsync("app@example.com", "second@gmail.com");
        await harness.Events.NextAttemptAsync();
        await WaitForAsync(() => harness.Scheduler.PacedWaiting == 1);

        harness.Time.Advance(TimeSpan.FromSeconds(60));
        var (queueId, results) = await harness.Events.NextAttemptAsync();

        Assert.Equal(late, queueId);
        Assert.Equal("4.4.7", Assert.Single(results!).Reply.EnhancedCode);
        Assert.Empty(harness.Transport.For("second@gmail.com"));
    }

    private static RecipientResult RateLimited(string recipient) =>
        new(recipient, RecipientOutcome.Deferred, new RemoteReply(421, "4.7.28", "rate limited, try again later"), "mx.example.net", new IPEndPoint(IPAddress.Loopback, 25));

    private static async Task HoldAsync(SchedulerHarness harness, string queueId)
    {
        using var output = new StringWriter();
        Assert.Equal(0, QueueCommands.RunChange(harness.DataDirectory, ControlCommand.Hold, queueId, harness.Time, output, output));
        harness.Scheduler.Wake();
        await harness.Events.NextControlAsync();
    }

    /// <summary>Waits for a condition other threads make true, with a deadline.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + SchedulerEvents.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Yield();
        }
    }
}

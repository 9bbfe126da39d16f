using System.Text.Json;
using MailRelay.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.RateLimiting;

public sealed class AdaptiveControllerTests
{
    private static readonly ProviderKey Google = new("google.com");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private static AdaptiveSettings Settings(int threshold = 3) => AdaptiveSettings.Default.Overlay(JsonDocument.Parse(
        $$"""{"minDelay":15000,"maxDelay":120000,"initialDelay":20000,"backoffMultiplier":2.0,"recoveryRate":0.9,"successThreshold":5,"circuitBreakerThreshold":{{threshold}},"circuitBreakerDuration":300000}""").RootElement);

    private AdaptiveController Controller(int threshold = 3) => new(Google, Settings(threshold), _time);

    [Fact]
    public void Starts_at_the_initial_delay()
    {
        Assert.Equal(TimeSpan.FromSeconds(20), Controller().CurrentDelay);
    }

    [Fact]
    public void A_rate_limit_reply_multiplies_the_delay_up_to_the_maximum()
    {
        var controller = Controller(threshold: 100);

        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Assert.Equal(TimeSpan.FromSeconds(40), controller.CurrentDelay);
        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Assert.Equal(TimeSpan.FromSeconds(80), controller.CurrentDelay);
        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Assert.Equal(TimeSpan.FromSeconds(120), controller.CurrentDelay);
        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Assert.Equal(TimeSpan.FromSeconds(120), controller.CurrentDelay);
    }

    [Fact]
    public void A_sub_second_delay_backs_off_from_itself_and_a_zero_delay_from_ten_milliseconds()
    {
        var fast = new AdaptiveController(Google, AdaptiveSettings.Default.Overlay(JsonDocument.Parse(
            """{"minDelay":10,"maxDelay":60000,"initialDelay":100,"backoffMultiplier":1.5,"circuitBreakerThreshold":100}""").RootElement), _time);
        var unpaced = new AdaptiveController(Google, AdaptiveSettings.Default.Overlay(JsonDocument.Parse(
            """{"minDelay":0,"maxDelay":60000,"initialDelay":0,"backoffMultiplier":2,"circuitBreakerThreshold":100}""").RootElement), _time);

        fast.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        unpaced.Report(DeliveryOutcome.RateLimited, wasProbe: false);

        Assert.Equal(TimeSpan.FromMilliseconds(150), fast.CurrentDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(20), unpaced.CurrentDelay);
    }

    [Fact]
    public void Only_a_full_run_of_successes_recovers_and_never_below_the_minimum()
    {
        var controller = Controller();

        for (var i = 0; i < 4; i++)
        {
            controller.Report(DeliveryOutcome.Accepted, wasProbe: false);
        }

        Assert.Equal(TimeSpan.FromSeconds(20), controller.CurrentDelay);
        controller.Report(DeliveryOutcome.Accepted, wasProbe: false);
        Assert.Equal(TimeSpan.FromSeconds(18), controller.CurrentDelay);

        for (var i = 0; i < 100; i++)
        {
            controller.Report(DeliveryOutcome.Accepted, wasProbe: false);
        }

        Assert.Equal(TimeSpan.FromSeconds(15), controller.CurrentDelay);
    }

    [Fact]
    public void A_rate_limit_reply_restarts_the_success_run()
    {
        var controller = Controller(threshold: 100);
        for (var i = 0; i < 4; i++)
        {
            controller.Report(DeliveryOutcome.Accepted, wasProbe: false);
        }

        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        for (var i = 0; i < 4; i++)
        {
            controller.Report(DeliveryOutcome.Accepted, wasProbe: false);
        }

        Assert.Equal(TimeSpan.FromSeconds(40), controller.CurrentDelay);
    }

    [Fact]
    public void Other_failures_do_not_slow_the_provider()
    {
        var controller = Controller();

        for (var i = 0; i < 10; i++)
        {
            controller.Report(DeliveryOutcome.OtherFailure, wasProbe: false);
        }

        Assert.Equal(TimeSpan.FromSeconds(20), controller.CurrentDelay);
        Assert.Equal(CircuitState.Closed, controller.State);
    }

    [Fact]
    public async Task Concurrent_claimers_get_distinct_slots_spaced_by_the_delay()
    {
        var controller = Controller();
        var start = _time.GetUtcNow();

        var claims = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(controller.Claim)));

        var slots = claims.Select(c => c.At).Order().ToArray();
        Assert.All(claims, c => Assert.True(c.Granted));
        Assert.Equal(Enumerable.Range(0, 32).Select(i => start + (TimeSpan.FromSeconds(20) * i)), slots);
    }

    [Fact]
    public async Task Waiters_are_released_one_at_a_time_by_the_clock()
    {
        var controller = Controller();
        var waits = Enumerable.Range(0, 3).Select(_ => controller.ClaimAndWaitAsync(CancellationToken.None).AsTask()).ToArray();

        await waits[0];
        Assert.False(waits[1].IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(_time.GetUtcNow(), (await waits[1]).At);
        Assert.False(waits[2].IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(_time.GetUtcNow(), (await waits[2]).At);
        Assert.Equal(2, controller.Snapshot().PacedWaits);
    }

    [Fact]
    public void Consecutive_rate_limits_open_the_circuit_and_nothing_is_granted_while_open()
    {
        var controller = Controller(threshold: 3);
        var tripAt = _time.GetUtcNow();

        Trip(controller);

        Assert.Equal(CircuitState.Open, controller.State);
        var claim = controller.Claim();
        Assert.False(claim.Granted);
        Assert.Equal(tripAt + TimeSpan.FromMinutes(5), claim.At);
        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.False(controller.Claim().Granted);
        Assert.Equal(1, controller.Snapshot().Trips);
    }

    [Fact]
    public void After_the_pause_exactly_one_probe_goes_and_its_success_closes_the_circuit()
    {
        var controller = Controller(threshold: 3);
        Trip(controller);
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(CircuitState.HalfOpen, controller.State);
        var probe = controller.Claim();
        var second = controller.Claim();

        Assert.True(probe.Granted);
        Assert.True(probe.IsProbe);
        Assert.Equal(_time.GetUtcNow(), probe.At);
        Assert.False(second.Granted);

        controller.Report(DeliveryOutcome.Accepted, wasProbe: true);

        Assert.Equal(CircuitState.Closed, controller.State);
        var after = controller.Claim();
        Assert.True(after.Granted);
        Assert.False(after.IsProbe);
    }

    [Fact]
    public void A_rate_limited_probe_reopens_the_circuit()
    {
        var controller = Controller(threshold: 3);
        Trip(controller);
        _time.Advance(TimeSpan.FromMinutes(5));
        var probe = controller.Claim();

        controller.Report(DeliveryOutcome.RateLimited, wasProbe: probe.IsProbe);

        Assert.Equal(CircuitState.Open, controller.State);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(5), controller.Claim().At);
        Assert.Equal(2, controller.Snapshot().Trips);
    }

    [Fact]
    public void A_probe_without_a_verdict_lets_another_probe_go()
    {
        var controller = Controller(threshold: 3);
        Trip(controller);
        _time.Advance(TimeSpan.FromMinutes(5));
        controller.Claim();

        controller.Report(DeliveryOutcome.OtherFailure, wasProbe: true);

        Assert.Equal(CircuitState.HalfOpen, controller.State);
        Assert.True(controller.Claim().IsProbe);
    }

    [Fact]
    public async Task A_slot_claimed_before_the_circuit_opened_is_withdrawn()
    {
        var controller = Controller(threshold: 3);
        controller.Claim();
        var waiting = controller.ClaimAndWaitAsync(CancellationToken.None).AsTask();

        Trip(controller);
        _time.Advance(TimeSpan.FromSeconds(20));
        var claim = await waiting;

        Assert.False(claim.Granted);
        Assert.Equal(CircuitState.Open, controller.State);
    }

    [Fact]
    public void A_disabled_controller_never_paces()
    {
        var controller = new AdaptiveController(Google, Settings() with { Enabled = false }, _time);

        var claims = Enumerable.Range(0, 5).Select(_ => controller.Claim()).ToList();
        Trip(controller);

        Assert.All(claims, c => Assert.Equal(_time.GetUtcNow(), c.At));
        Assert.Equal(CircuitState.Closed, controller.State);
    }

    [Fact]
    public void Bounds_hold_even_when_the_initial_delay_lies_outside_them()
    {
        var controller = new AdaptiveController(Google, Settings() with { InitialDelay = TimeSpan.FromMinutes(10) }, _time);

        Assert.Equal(TimeSpan.FromSeconds(120), controller.CurrentDelay);
    }

    private static void Trip(AdaptiveController controller)
    {
        for (var i = 0; i < 3; i++)
        {
            controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        }
    }
}

using System.Text.Json;
using MailRelay.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.RateLimiting;

/// <summary>The controller's memory of where the provider's limit was met: hold below it, probe past it, forget it.</summary>
public sealed class AdaptiveControllerMemoryTests : IDisposable
{
    private static readonly ProviderKey Google = new("google.com");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly PacingFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    /// <summary>
    /// Steps of × 4 and × ½ per accepted message: a backoff takes two runs to recover, so the runs alone would hold for 6;
    /// at delays under a second the least hold time of 30 s decides instead.
    /// </summary>
    private AdaptiveController Controller() => new(Google, AdaptiveSettings.Default.Overlay(JsonDocument.Parse(
        """{"minDelay":10,"maxDelay":60000,"initialDelay":1000,"backoffMultiplier":4,"recoveryRate":0.5,"successThreshold":1,"circuitBreakerThreshold":100}""").RootElement), _time);

    /// <summary>
    /// The same steps 40 times slower (a 40 s start): a hold of 6 runs at 20 s lasts longer than the least hold time of
    /// 30 s, so the runs alone decide when probing starts.
    /// </summary>
    private AdaptiveController SlowController() => new(Google, AdaptiveSettings.Default.Overlay(JsonDocument.Parse(
        """{"minDelay":400,"maxDelay":2400000,"initialDelay":40000,"backoffMultiplier":4,"recoveryRate":0.5,"successThreshold":1,"circuitBreakerThreshold":100}""").RootElement), _time);

    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds * 40);

    [Fact]
    public void Against_a_fast_provider_the_hold_lasts_at_least_30_seconds_before_probing()
    {
        var controller = Controller();
        Accept(controller, 2);                                    // runs at 1000 and 500 ms
        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Accept(controller, 1);
        Assert.Equal(TimeSpan.FromMilliseconds(500), controller.CurrentDelay);

        // 6 runs would end the hold by the runs alone; at 500 ms a run, 30 s take 60 of them.
        Accept(controller, 60);
        Assert.Equal(TimeSpan.FromMilliseconds(500), controller.CurrentDelay);
        Accept(controller, 1);
        Assert.Equal(500 * Math.Pow(2, -1.0 / 16), controller.CurrentDelay.TotalMilliseconds, 3);
    }

    [Fact]
    public void Recovery_after_a_rate_limit_stops_at_the_last_good_delay_holds_there_then_probes_gently()
    {
        var controller = SlowController();
        Accept(controller, 2);                                    // runs at 40 and 20 s
        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);

        Assert.Equal(Ms(250), controller.LimitDelay);
        Assert.Equal(Ms(1000), controller.CurrentDelay);
        Accept(controller, 1);
        Assert.Equal(Ms(500), controller.CurrentDelay);    // the last good delay, not 20 s × ½
        Accept(controller, 6);
        Assert.Equal(Ms(500), controller.CurrentDelay);    // held for 3 × ln 4 / ln 2 = 6 runs
        Accept(controller, 1);
        Assert.Equal(Ms(500).TotalMilliseconds * Math.Pow(2, -1.0 / 16), controller.CurrentDelay.TotalMilliseconds, 3);
        Accept(controller, 1);
        Assert.Equal(Ms(500).TotalMilliseconds * Math.Pow(2, -3.0 / 16), controller.CurrentDelay.TotalMilliseconds, 3);
        Assert.Equal(Ms(250), controller.LimitDelay);
    }

    [Fact]
    public void A_whole_recovery_step_past_the_limit_without_a_reply_forgets_it_and_recovers_at_full_steps()
    {
        var controller = SlowController();
        Accept(controller, 2);
        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Accept(controller, 7);

        // Probe steps of 1/16, 1/8, 1/4, 1/2, then whole halvings: 20 s → … → 5.2 → 2.6 s, past 10 s × ½.
        Accept(controller, 5);
        Assert.Equal(Ms(250), controller.LimitDelay);
        Accept(controller, 1);
        Assert.Null(controller.LimitDelay);
        var free = controller.CurrentDelay;
        Accept(controller, 1);
        Assert.Equal(free.TotalMilliseconds / 2, controller.CurrentDelay.TotalMilliseconds, 3);
    }

    [Fact]
    public void A_probe_that_draws_a_reply_holds_next_between_its_last_good_step_and_the_previous_hold()
    {
        var controller = SlowController();
        Accept(controller, 2);
        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Accept(controller, 9);                                    // recovered, held, two probe steps: 20 → 19.1 → 17.5 s
        var lastGood = Ms(500).TotalMilliseconds * Math.Pow(2, -1.0 / 16);

        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Accept(controller, 2);

        Assert.Equal(Ms(500).TotalMilliseconds * Math.Pow(2, -3.0 / 16), controller.LimitDelay!.Value.TotalMilliseconds, 3);
        Assert.Equal(Math.Sqrt(lastGood * Ms(500).TotalMilliseconds), controller.CurrentDelay.TotalMilliseconds, 3);
    }

    [Fact]
    public void A_probe_run_faster_than_the_limit_without_a_reply_is_followed_by_a_whole_step_that_forgets_the_limit()
    {
        var controller = SlowController();
        Accept(controller, 2);
        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Accept(controller, 9);
        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);   // a probe's reply: limit 2^-3/16, hold 2^-1/32 of 20 s

        // Recovered in 2 runs, held 6, then probe steps of 1/16 and 1/8: the second lands past the limit delay.
        Accept(controller, 10);
        var limit = controller.LimitDelay!.Value;
        var pastLimit = controller.CurrentDelay;
        Assert.Equal(Ms(500).TotalMilliseconds * Math.Pow(2, -7.0 / 32), pastLimit.TotalMilliseconds, 3);
        Assert.True(pastLimit < limit);

        // A run there drew no reply: a whole step, not a quarter, and the limit is forgotten.
        Accept(controller, 1);
        Assert.Null(controller.LimitDelay);
        Assert.Equal(pastLimit.TotalMilliseconds / 2, controller.CurrentDelay.TotalMilliseconds, 3);
    }

    [Fact]
    public void A_rate_limit_at_a_pace_already_run_cleanly_holds_next_half_a_step_above_it()
    {
        var controller = SlowController();
        Accept(controller, 2);                                    // runs at 40 and 20 s
        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Accept(controller, 4);                                    // back to the hold at 20 s, three runs there

        // Refused at the hold: a sixteenth of a step above 20 s drew the next reply as soon as it was held again.
        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Assert.Equal(Ms(500), controller.LimitDelay);
        Assert.Equal(Ms(2000), controller.CurrentDelay);
        Accept(controller, 2);                                    // 80 → 40 → the hold, not 20 s
        Assert.Equal(Ms(500).TotalMilliseconds * Math.Sqrt(2), controller.CurrentDelay.TotalMilliseconds, 3);
    }

    [Fact]
    public void Replies_to_slots_granted_before_a_backoff_count_but_back_off_only_once()
    {
        var controller = Controller();
        for (var i = 0; i < 3; i++)
        {
            controller.Claim();                                   // slots at 0, 1 and 2 s
        }

        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        _time.Advance(TimeSpan.FromSeconds(5));
        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);

        Assert.Equal(TimeSpan.FromSeconds(4), controller.CurrentDelay);           // 1 s × 4, not × 16
        Assert.Equal(TimeSpan.FromSeconds(1), controller.LimitDelay);
        _time.Advance(TimeSpan.FromSeconds(1));                    // past the first slot at the new delay (2 + 4 s)
        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Assert.Equal(TimeSpan.FromSeconds(16), controller.CurrentDelay);
        Assert.Equal(4, controller.Snapshot().RateLimitedReplies);
    }

    [Fact]
    public void The_memory_survives_a_restart_through_the_state_file()
    {
        var before = Controller();
        Accept(before, 2);
        before.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Accept(before, 3);
        PacingStateFile.Write(_fixture.StatePath, new PacingState(PacingState.CurrentFormatVersion, _time.GetUtcNow(), [new ProviderPacingState("google.com", before.ExportState(), null)], []));

        var after = Controller();
        after.Restore(PacingStateFile.Read(_fixture.StatePath)!.Find(Google)!.Adaptive!);

        Assert.Equal(before.ExportState(), after.ExportState());
        Assert.Equal(TimeSpan.FromMilliseconds(250), after.LimitDelay);
        Accept(before, 5);
        Accept(after, 5);
        Assert.Equal(before.CurrentDelay, after.CurrentDelay);
    }

    [Fact]
    public void A_state_file_written_without_the_memory_restores_the_delay_and_no_memory()
    {
        Directory.CreateDirectory(PacingStateFile.DirectoryOf(_fixture.DataDirectory));
        File.WriteAllText(_fixture.StatePath, """
            {"formatVersion": 1, "savedAt": "2026-03-01T12:00:00+00:00", "learned": [],
             "providers": [{"provider": "google.com", "adaptive": {"delay": "00:00:00.4000000", "successStreak": 0,
               "rateLimitStreak": 0, "trips": 0, "rateLimitedReplies": 3, "pacedWaits": 0, "sends": 9}}]}
            """);

        var controller = Controller();
        controller.Restore(PacingStateFile.Read(_fixture.StatePath)!.Find(Google)!.Adaptive!);

        Assert.Equal(TimeSpan.FromMilliseconds(400), controller.CurrentDelay);
        Assert.Null(controller.LimitDelay);
        Accept(controller, 1);
        Assert.Equal(TimeSpan.FromMilliseconds(200), controller.CurrentDelay);
    }

    private static void Accept(AdaptiveController controller, int count)
    {
        for (var i = 0; i < count; i++)
        {
            controller.Report(DeliveryOutcome.Accepted, wasProbe: false);
        }
    }
}

using MailRelay.RateLimiting;

namespace MailRelay.Tests.RateLimiting;

/// <summary>State written by one registry and read back by another, as across a daemon restart.</summary>
public sealed class PacingStatePersistenceTests : IDisposable
{
    private static readonly ProviderKey Google = new("google.com");
    private static readonly ProviderKey Outlook = new("outlook.com");
    private static readonly (string, string?)[] Environment =
    [
        ("ADAPTIVE_RATE_ENABLED", "true"),
        ("ADAPTIVE_RATE_DEFAULTS", """{"initialDelay": 4000, "successThreshold": 2, "circuitBreakerThreshold": 3, "circuitBreakerDuration": 600000}"""),
        ("WARMUP_ENABLED", "true"),
        ("WARMUP_START_DATE", "2026-03-01"),
        ("WARMUP_DOMAINS", "gmail.com,outlook.com"),
    ];

    private readonly PacingFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Delay_circuit_counters_warm_up_and_learned_providers_survive_a_round_trip()
    {
        var before = _fixture.Registry(Environment);
        Trip(before.Controller(Google));
        var outlook = before.Controller(Outlook);
        for (var i = 0; i < 3; i++)
        {
            var claim = outlook.Claim();
            outlook.Report(DeliveryOutcome.Accepted, claim.IsProbe);
        }

        Assert.True(before.TryConsumeWarmup(Google, out _));
        Assert.True(before.TryConsumeWarmup(Google, out _));
        before.Resolver.LearnMx("workspace.example", "aspmx.l.google.com");
        PacingStateFile.Write(_fixture.StatePath, before.ExportState());
        _fixture.Time.Advance(TimeSpan.FromMinutes(2));

        var after = _fixture.Registry(Environment);
        var state = PacingStateFile.Read(_fixture.StatePath);
        Assert.NotNull(state);
        Assert.True(after.RestoreState(state));

        Assert.Equal(before.Snapshots(), after.Snapshots());
        Assert.Equal(CircuitState.Open, after.Controller(Google).State);
        Assert.Equal(before.Controller(Google).ExportState(), after.Controller(Google).ExportState());
        Assert.Equal(before.Controller(Outlook).ExportState(), after.Controller(Outlook).ExportState());
        Assert.Equal(before.WarmupSnapshots(), after.WarmupSnapshots());
        Assert.Equal(Google, after.Resolver.ForDomain("workspace.example"));
    }

    [Fact]
    public void A_circuit_opened_before_the_restart_stays_closed_to_attempts_until_its_end_then_probes_once()
    {
        var before = _fixture.Registry(Environment);
        Trip(before.Controller(Google));
        var openUntil = before.Controller(Google).Snapshot().OpenUntil!.Value;
        var after = _fixture.Registry(Environment);
        after.RestoreState(before.ExportState());

        Assert.False(after.Controller(Google).Claim().Granted);
        _fixture.Time.SetUtcNow(openUntil);
        var probe = after.Controller(Google).Claim();
        Assert.True(probe is { Granted: true, IsProbe: true });
        Assert.False(after.Controller(Google).Claim().Granted);
        after.Controller(Google).Report(DeliveryOutcome.Accepted, wasProbe: true);
        Assert.Equal(CircuitState.Closed, after.Controller(Google).State);
    }

    [Fact]
    public void Adaptive_state_older_than_the_restore_window_is_dropped_but_todays_warm_up_count_is_kept()
    {
        var before = _fixture.Registry(Environment);
        Trip(before.Controller(Google));
        Assert.True(before.TryConsumeWarmup(Google, out _));
        before.Resolver.LearnMx("workspace.example", "aspmx.l.google.com");
        var state = before.ExportState();
        _fixture.Time.Advance(TimeSpan.FromHours(1));

        var after = _fixture.Registry(Environment);
        Assert.False(after.RestoreState(state));

        Assert.Equal(TimeSpan.FromSeconds(4), after.Controller(Google).CurrentDelay);
        Assert.Equal(CircuitState.Closed, after.Controller(Google).State);
        Assert.Equal([new WarmupSnapshot(Google, 1, 80)], after.WarmupSnapshots());
        Assert.Equal(Google, after.Resolver.ForDomain("workspace.example"));
    }

    [Fact]
    public void The_restore_window_stretches_to_the_longest_circuit_breaker_pause()
    {
        var environment = Environment.Append(("ADAPTIVE_RATE_DOMAINS", """{"gmail.com": {"circuitBreakerDuration": 10800000}}""")).ToArray();
        var before = _fixture.Registry(environment);
        Trip(before.Controller(Google));
        var state = before.ExportState();
        _fixture.Time.Advance(TimeSpan.FromHours(2));

        var after = _fixture.Registry(environment);

        Assert.Equal(TimeSpan.FromHours(3), after.Options.RestoreWindow);
        Assert.True(after.RestoreState(state));
        Assert.Equal(CircuitState.Open, after.Controller(Google).State);
    }

    [Fact]
    public void A_warm_up_count_of_an_earlier_day_is_not_carried_into_today()
    {
        var before = _fixture.Registry(Environment);
        Assert.True(before.TryConsumeWarmup(Google, out _));
        var state = before.ExportState();
        _fixture.Time.Advance(TimeSpan.FromDays(1));

        var after = _fixture.Registry(Environment);
        after.RestoreState(state);

        Assert.Equal([new WarmupSnapshot(Google, 0, 150)], after.WarmupSnapshots());
    }

    [Fact]
    public void A_restored_delay_is_pulled_inside_the_current_bounds()
    {
        var before = _fixture.Registry(Environment);
        for (var i = 0; i < 20; i++)
        {
            before.Controller(Google).Report(DeliveryOutcome.RateLimited, wasProbe: true);
        }

        var after = _fixture.Registry(Environment.Append(("ADAPTIVE_RATE_DOMAINS", """{"gmail.com": {"maxDelay": 10000}}""")).ToArray());
        after.RestoreState(before.ExportState());

        Assert.Equal(TimeSpan.FromSeconds(60), before.Controller(Google).CurrentDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), after.Controller(Google).CurrentDelay);
    }

    [Fact]
    public void The_state_file_is_replaced_whole_and_leaves_no_temporary_file()
    {
        var registry = _fixture.Registry(Environment);
        Trip(registry.Controller(Google));
        PacingStateFile.Write(_fixture.StatePath, registry.ExportState());
        registry.Reset(Google);
        PacingStateFile.Write(_fixture.StatePath, registry.ExportState());

        Assert.Equal([_fixture.StatePath], Directory.GetFiles(Path.GetDirectoryName(_fixture.StatePath)!));
        Assert.Equal(0, PacingStateFile.Read(_fixture.StatePath)!.Find(Google)!.Adaptive!.Trips);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"formatVersion": 99, "savedAt": "2026-03-03T10:00:00Z", "providers": [], "learned": []}""")]
    [InlineData("""{"formatVersion": 1, "savedAt": "2026-03-03T10:00:00Z"}""")]
    public void An_unreadable_state_file_is_reported_as_such(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_fixture.StatePath)!);
        File.WriteAllText(_fixture.StatePath, content);

        Assert.Throws<InvalidDataException>(() => PacingStateFile.Read(_fixture.StatePath));
    }

    [Fact]
    public void A_missing_state_file_reads_as_none()
    {
        Assert.Null(PacingStateFile.Read(_fixture.StatePath));
    }

    private static void Trip(AdaptiveController controller)
    {
        for (var i = 0; i < controller.Settings.CircuitBreakerThreshold; i++)
        {
            var claim = controller.Claim();
            controller.Report(DeliveryOutcome.RateLimited, claim.IsProbe);
        }

        Assert.Equal(CircuitState.Open, controller.State);
    }
}

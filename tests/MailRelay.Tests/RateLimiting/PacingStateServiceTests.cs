using MailRelay.RateLimiting;

namespace MailRelay.Tests.RateLimiting;

/// <summary>The daemon side of persistence: restore at start, save on change at most every few seconds and at stop, resets by request.</summary>
public sealed class PacingStateServiceTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly ProviderKey Google = new("google.com");
    private static readonly (string, string?)[] Environment =
    [
        ("ADAPTIVE_RATE_ENABLED", "true"),
        ("ADAPTIVE_RATE_DEFAULTS", """{"initialDelay": 4000, "circuitBreakerThreshold": 2}"""),
    ];

    private readonly PacingFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Nothing_is_written_until_something_changes_and_then_once()
    {
        var registry = _fixture.Registry(Environment);
        using var service = _fixture.Service(registry);
        Assert.False(service.Restore());

        Assert.False(service.SaveIfChanged());
        Assert.False(File.Exists(_fixture.StatePath));

        registry.Controller(Google).Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Assert.True(service.SaveIfChanged());
        Assert.False(service.SaveIfChanged());
        Assert.Equal(1, PacingStateFile.Read(_fixture.StatePath)!.Find(Google)!.Adaptive!.RateLimitedReplies);

        registry.Reset(Google);
        Assert.True(service.SaveIfChanged());
        Assert.Equal(0, PacingStateFile.Read(_fixture.StatePath)!.Find(Google)!.Adaptive!.RateLimitedReplies);
    }

    [Fact]
    public async Task A_change_is_saved_when_the_save_interval_has_passed_on_the_clock()
    {
        var registry = _fixture.Registry(Environment);
        using var service = _fixture.Service(registry);
        var saved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        service.StateSaved += (_, _) => saved.TrySetResult();
        await service.StartAsync(CancellationToken.None);

        registry.Controller(Google).Report(DeliveryOutcome.RateLimited, wasProbe: false);
        _fixture.Time.Advance(PacingOptions.DefaultSaveInterval - TimeSpan.FromTicks(1));
        Assert.False(saved.Task.IsCompleted);
        _fixture.Time.Advance(TimeSpan.FromTicks(1));
        await saved.Task.WaitAsync(Timeout);

        var state = PacingStateFile.Read(_fixture.StatePath)!;
        Assert.Equal(_fixture.Time.GetUtcNow(), state.SavedAt);
        Assert.Equal(1, state.Find(Google)!.Adaptive!.RateLimitedReplies);
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Stopping_saves_the_last_state_and_the_next_start_takes_it_over()
    {
        var registry = _fixture.Registry(Environment);
        using (var service = _fixture.Service(registry))
        {
            await service.StartAsync(CancellationToken.None);
            registry.Controller(Google).Report(DeliveryOutcome.RateLimited, wasProbe: false);
            registry.Controller(Google).Report(DeliveryOutcome.RateLimited, wasProbe: false);
            await service.StopAsync(CancellationToken.None);
        }

        var restarted = _fixture.Registry(Environment);
        using var next = _fixture.Service(restarted);
        await next.StartAsync(CancellationToken.None);

        Assert.Equal(registry.Snapshots(), restarted.Snapshots());
        Assert.Equal(CircuitState.Open, restarted.Controller(Google).State);
        await next.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_reset_request_dropped_while_running_is_applied_promptly()
    {
        var registry = _fixture.Registry(Environment);
        using var service = _fixture.Service(registry);
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        service.ControlApplied += (_, _) => applied.TrySetResult();
        await service.StartAsync(CancellationToken.None);
        registry.Controller(Google).Report(DeliveryOutcome.RateLimited, wasProbe: false);
        registry.Controller(Google).Report(DeliveryOutcome.RateLimited, wasProbe: false);

        PacingControlDirectory.WriteReset(_fixture.DataDirectory, Google, _fixture.Time.GetUtcNow());
        await applied.Task.WaitAsync(Timeout);

        Assert.Equal(CircuitState.Closed, registry.Controller(Google).State);
        Assert.Empty(PacingControlDirectory.ReadPending(_fixture.DataDirectory));
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Requests_left_while_no_daemon_ran_are_applied_at_start_after_the_restore()
    {
        var before = _fixture.Registry(Environment);
        before.Controller(Google).Report(DeliveryOutcome.RateLimited, wasProbe: false);
        PacingStateFile.Write(_fixture.StatePath, before.ExportState());
        PacingControlDirectory.WriteReset(_fixture.DataDirectory, Google, _fixture.Time.GetUtcNow());
        var bad = Path.Combine(PacingControlDirectory.PathOf(_fixture.DataDirectory), "0-bad" + PacingControlDirectory.RequestExtension);
        File.WriteAllText(bad, "explode google.com\n");

        var registry = _fixture.Registry(Environment);
        using var service = _fixture.Service(registry);
        await service.StartAsync(CancellationToken.None);

        Assert.Equal(0, registry.Controller(Google).Snapshot().RateLimitedReplies);
        Assert.Empty(Directory.GetFiles(PacingControlDirectory.PathOf(_fixture.DataDirectory)));
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task An_unreadable_state_file_is_ignored_and_replaced_by_the_next_save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_fixture.StatePath)!);
        await File.WriteAllTextAsync(_fixture.StatePath, "{ torn");
        var registry = _fixture.Registry(Environment);
        using var service = _fixture.Service(registry);

        await service.StartAsync(CancellationToken.None);
        registry.Controller(Google).Report(DeliveryOutcome.Accepted, wasProbe: false);
        await service.StopAsync(CancellationToken.None);

        Assert.Equal(1, PacingStateFile.Read(_fixture.StatePath)!.Find(Google)!.Adaptive!.Sends);
    }
}

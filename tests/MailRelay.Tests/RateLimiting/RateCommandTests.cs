using MailRelay.Cli;
using MailRelay.Queue;
using MailRelay.RateLimiting;

namespace MailRelay.Tests.RateLimiting;

/// <summary><c>rate show</c> and <c>rate reset</c> through the executable's command line, with and without a daemon.</summary>
public sealed class RateCommandTests : IDisposable
{
    private static readonly ProviderKey Google = new("google.com");
    private static readonly ProviderKey Yahoo = new("yahoo.com");
    private readonly PacingFixture _fixture = new();
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public void Dispose()
    {
        _fixture.Dispose();
        _stdout.Dispose();
        _stderr.Dispose();
    }

    [Fact]
    public async Task Show_without_saved_state_says_so()
    {
        Assert.Equal(0, await RunAsync("rate", "show"));

        Assert.Contains("no pacing state saved yet", _stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_prints_one_row_per_provider_with_delay_circuit_counters_and_warm_up()
    {
        // One second before midnight (UTC) on the clock the command is given: the circuit reopens tomorrow.
        var now = new DateTimeOffset(2026, 3, 3, 23, 59, 59, TimeSpan.Zero);
        _fixture.Time.SetUtcNow(now);
        var openUntil = now.AddMinutes(4);
        var state = new PacingState(PacingState.CurrentFormatVersion, now, [
            new ProviderPacingState("google.com", new AdaptiveControllerState(TimeSpan.FromSeconds(22.5), openUntil, 0, 0, 1, 5, 12, 40), new WarmupCounterState(DateOnly.FromDateTime(now.UtcDateTime), 17)),
            new ProviderPacingState("outlook.com", new AdaptiveControllerState(TimeSpan.FromSeconds(10), null, 2, 0, 0, 0, 3, 9), null),
        ], [new LearnedProvider("workspace.example", "google.com")]);
        PacingStateFile.Write(_fixture.StatePath, state);

        var options = _fixture.Options(("WARMUP_ENABLED", "true"), ("WARMUP_START_DATE", "2026-03-03"));
        Assert.Equal(0, RateCommands.RunShow(options, _fixture.Time, _stdout, _stderr));

        var lines = _stdout.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("1 learned domains", lines[0], StringComparison.Ordinal);
        Assert.Equal(["PROVIDER", "DELAY", "CIRCUIT", "OPEN-UNTIL", "TRIPS", "RATE-LIMITED", "PACED", "SENDS", "WARM-UP"], Cells(lines[1]));
        Assert.Equal(
            ["google.com", "22.5s", "open", "2026-03-04", "00:03:59Z", "1", "5", "12", "40", "17/20", "today"],
            Cells(lines[2]));
        Assert.Equal(["outlook.com", "10s", "closed", "-", "0", "0", "3", "9", "-"], Cells(lines[3]));
    }

    [Fact]
    public async Task Reset_without_a_daemon_edits_the_state_file_and_accepts_a_domain_for_its_provider()
    {
        var registry = _fixture.Registry(("ADAPTIVE_RATE_ENABLED", "true"));
        registry.Controller(Google).Report(DeliveryOutcome.RateLimited, wasProbe: false);
        registry.Controller(Yahoo).Report(DeliveryOutcome.RateLimited, wasProbe: false);
        PacingStateFile.Write(_fixture.StatePath, registry.ExportState());

        Assert.Equal(0, await RunAsync("rate", "reset", "gmail.com"));

        Assert.Equal($"google.com: pacing state reset{Environment.NewLine}", _stdout.ToString());
        var state = PacingStateFile.Read(_fixture.StatePath)!;
        Assert.Null(state.Find(Google));
        Assert.NotNull(state.Find(Yahoo));
        Assert.False(Directory.Exists(PacingControlDirectory.PathOf(_fixture.DataDirectory)));
    }

    [Fact]
    public async Task Reset_of_a_workspace_domain_resolves_through_the_learned_providers()
    {
        var registry = _fixture.Registry(("ADAPTIVE_RATE_ENABLED", "true"));
        registry.Controller(Google).Report(DeliveryOutcome.RateLimited, wasProbe: false);
        registry.Resolver.LearnMx("workspace.example", "aspmx.l.google.com");
        PacingStateFile.Write(_fixture.StatePath, registry.ExportState());

        Assert.Equal(0, await RunAsync("rate", "reset", "workspace.example"));

        Assert.Null(PacingStateFile.Read(_fixture.StatePath)!.Find(Google));
    }

    [Fact]
    public async Task Reset_while_the_daemon_runs_goes_through_a_request_the_daemon_applies()
    {
        var registry = _fixture.Registry(("ADAPTIVE_RATE_ENABLED", "true"), ("ADAPTIVE_RATE_DEFAULTS", """{"circuitBreakerThreshold": 1}"""));
        using var service = _fixture.Service(registry);
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        service.ControlApplied += (_, _) => applied.TrySetResult();
        using var daemonLock = QueueLock.TryAcquire(_fixture.DataDirectory);
        Assert.NotNull(daemonLock);
        await service.StartAsync(CancellationToken.None);
        registry.Controller(Google).Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Assert.Equal(CircuitState.Open, registry.Controller(Google).State);

        Assert.Equal(0, await RunAsync("rate", "reset", "googlemail.com"));
        Assert.Equal($"google.com: reset requested from the running daemon{Environment.NewLine}", _stdout.ToString());
        await applied.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(CircuitState.Closed, registry.Controller(Google).State);
        await service.StopAsync(CancellationToken.None);
        Assert.Equal(0, PacingStateFile.Read(_fixture.StatePath)!.Find(Google)!.Adaptive!.Trips);
    }

    [Fact]
    public async Task Reset_of_a_provider_without_state_is_not_an_error()
    {
        Assert.Equal(0, await RunAsync("rate", "reset", "example.org"));

        Assert.Contains("nothing to reset", _stdout.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a domain")]
    [InlineData("localhost")]
    public async Task Reset_of_something_that_is_not_a_domain_is_a_usage_error(string argument)
    {
        Assert.Equal(CommandLine.ExitUsage, await RunAsync("rate", "reset", argument));

        Assert.NotEmpty(_stderr.ToString());
    }

    [Fact]
    public async Task An_unreadable_state_file_fails_show_with_the_reason()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_fixture.StatePath)!);
        await File.WriteAllTextAsync(_fixture.StatePath, "[]");

        Assert.Equal(CommandLine.ExitError, await RunAsync("rate", "show"));
        Assert.Contains("cannot read", _stderr.ToString(), StringComparison.Ordinal);
    }

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private Task<int> RunAsync(params string[] args) => RunAsync(args, []);

    private Task<int> RunAsync(string[] args, params (string Name, string Value)[] extra)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["MAIL_HOSTNAME"] = "relay.example",
            ["DATA_DIR"] = _fixture.DataDirectory,
        };
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        return CommandLine.RunAsync(args, environment, _stdout, _stderr);
    }
}

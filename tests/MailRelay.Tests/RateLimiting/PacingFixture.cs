using MailRelay.RateLimiting;
using MailRelay.Tests.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.RateLimiting;

/// <summary>Pacing options from an environment, a data directory of its own and a fake clock.</summary>
internal sealed class PacingFixture : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 3, 10, 0, 0, TimeSpan.Zero);

    private readonly TemporaryDirectory _directory = new();

    public FakeTimeProvider Time { get; } = new(Start);

    public string DataDirectory => _directory.Path;

    public string StatePath => PacingStateFile.PathOf(DataDirectory);

    public PacingOptions Options(params (string Name, string? Value)[] environment) =>
        PacingOptions.FromConfiguration(TestEnvironment.LoadValid(environment)) with { DataDirectory = DataDirectory };

    public PacingRegistry Registry(params (string Name, string? Value)[] environment) => Registry(Options(environment));

    public PacingRegistry Registry(PacingOptions options, PacingMetrics? metrics = null) =>
        new(options, Time, NullLogger<PacingRegistry>.Instance, metrics);

    public PacingStateService Service(PacingRegistry registry) =>
        new(registry, Time, NullLogger<PacingStateService>.Instance);

    public void Dispose() => _directory.Dispose();
}

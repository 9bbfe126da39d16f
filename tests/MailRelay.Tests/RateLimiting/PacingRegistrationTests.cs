using MailRelay.RateLimiting;
using MailRelay.Tests.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.RateLimiting;

public sealed class PacingRegistrationTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task The_registry_is_one_singleton_and_its_state_service_runs_as_a_hosted_service_through_a_whole_lifetime()
    {
        var configuration = TestEnvironment.LoadValid(("DATA_DIR", _data.Path), ("ADAPTIVE_RATE_ENABLED", "true"));
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddDeliveryPacing(configuration, Prometheus.Metrics.NewCustomRegistry());

        await using (var provider = services.BuildServiceProvider())
        {
            var registry = provider.GetRequiredService<PacingRegistry>();
            var hosted = Assert.Single(provider.GetServices<IHostedService>());
            Assert.Same(provider.GetRequiredService<PacingStateService>(), hosted);
            Assert.True(registry.IsActive);
            Assert.Equal(_data.Path, registry.Options.DataDirectory);

            await hosted.StartAsync(CancellationToken.None);
            registry.Controller(new ProviderKey("google.com")).Report(DeliveryOutcome.RateLimited, wasProbe: false);
            await hosted.StopAsync(CancellationToken.None);
        }

        // Disposing the provider disposed the service twice (as singleton and as hosted service) without throwing.
        Assert.Equal(1, PacingStateFile.Read(PacingStateFile.PathOf(_data.Path))!.Find(new ProviderKey("google.com"))!.Adaptive!.RateLimitedReplies);
    }
}

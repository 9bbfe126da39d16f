using MailRelay.Configuration;
using MailRelay.Delivery;
using MailRelay.Delivery.Scheduling;
using MailRelay.Queue;
using MailRelay.Tests.Queue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.Delivery.Scheduling;

public sealed class QueueManagerRegistrationTests : IDisposable
{
    private readonly TempDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task The_scheduler_is_one_singleton_that_is_also_the_hosted_service_and_holds_the_lock()
    {
        var loaded = ConfigurationLoader.Load(new Dictionary<string, string?> { ["DATA_DIR"] = _data.Path, ["MAIL_HOSTNAME"] = "relay.example.com" });
        var configuration = Assert.IsType<RelayConfiguration>(loaded.Configuration);
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton(sp => new Spool(configuration.DataDirectory, TimeProvider.System, sp.GetRequiredService<ILogger<Spool>>()));
        services.AddSingleton<IDeliveryTransport>(new FakeTransport());
        services.AddQueueManager(configuration, Prometheus.Metrics.NewCustomRegistry(), maxConcurrency: 7);
        await using var provider = services.BuildServiceProvider();

        var scheduler = provider.GetRequiredService<QueueScheduler>();
        Assert.Same(scheduler, Assert.Single(provider.GetServices<IHostedService>()));
        Assert.Equal(7, provider.GetRequiredService<QueueSchedulerOptions>().MaxConcurrency);
        Assert.Equal("relay.example.com", provider.GetRequiredService<QueueSchedulerOptions>().HostName);

        await scheduler.AcquireQueueLockAsync();
        Assert.Null(QueueLock.TryAcquire(_data.Path));
        scheduler.Dispose();
        using var free = QueueLock.TryAcquire(_data.Path);
        Assert.NotNull(free);
    }
}

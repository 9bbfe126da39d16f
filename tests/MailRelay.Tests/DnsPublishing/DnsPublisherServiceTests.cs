using System.Net;
using System.Threading.Channels;
using MailRelay.Configuration;
using MailRelay.Dkim;
using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Addresses;
using MailRelay.Tests.Configuration;
using MailRelay.Tests.Integration;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace MailRelay.Tests.DnsPublishing;

public sealed class DnsPublisherServiceTests : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly TestDirectory _data = new();
    private readonly InMemoryDnsProvider _provider = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly DnsMetrics _metrics = new(Metrics.NewCustomRegistry());
    private readonly Channel<DnsRunEventArgs> _runs = Channel.CreateUnbounded<DnsRunEventArgs>();
    private DnsPublisherService? _service;

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.StopAsync(CancellationToken.None);
            _service.Dispose();
        }

        _data.Dispose();
    }

    [Fact]
    public async Task It_publishes_at_start_and_again_after_the_check_interval_not_before()
    {
        await StartAsync(Configure(("DNS_CHECK_INTERVAL", "10m")));
        var first = await NextRunAsync();

        _time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        var readsBefore = _provider.Reads.Count;
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await NextRunAsync();

        Assert.NotNull(first.Result);
        Assert.Equal(1, readsBefore);
        Assert.Empty(second.Result!.Changes);
        Assert.Equal(2, _provider.Reads.Count);
        Assert.Equal(first.Result.Records.Count, _metrics.Records(DnsRecordState.InSync));
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds(), _metrics.LastSuccess);
    }

    [Fact]
    public async Task A_provider_outage_is_counted_shown_as_error_and_retried_after_30_seconds()
    {
        _provider.FailNextRead = new DnsProviderException("Cloudflare said: 10000 Authentication error");
        await StartAsync(Configure(("DNS_CHECK_INTERVAL", "10m")));

        var failed = await NextRunAsync();
        var errorGauge = _metrics.Records(DnsRecordState.Error);
        var lastSuccessAfterFailure = _metrics.LastSuccess;
        _time.Advance(TimeSpan.FromSeconds(29));
        var readsBeforeRetry = _provider.Reads.Count;
        _time.Advance(TimeSpan.FromSeconds(1));
        var retried = await NextRunAsync();

        Assert.IsType<DnsProviderException>(failed.Failure);
        Assert.Equal(1, _metrics.Errors);
        Assert.Equal(1, errorGauge);
        Assert.Equal(0, lastSuccessAfterFailure);
        Assert.Equal(0, readsBeforeRetry);
        Assert.Single(_provider.Reads);
        Assert.NotNull(retried.Result);
        Assert.Equal(0, _metrics.Records(DnsRecordState.Error));
        Assert.Equal(retried.Result.Records.Count, _metrics.Records(DnsRecordState.InSync));
    }

    [Fact]
    public async Task After_a_failure_every_record_set_of_the_last_run_counts_as_error()
    {
        await StartAsync(Configure(("DNS_CHECK_INTERVAL", "10m")));
        var first = await NextRunAsync();
        _provider.FailNextRead = new DnsProviderException("outage");

        _time.Advance(TimeSpan.FromMinutes(10));
        var failed = await NextRunAsync();

        Assert.NotNull(failed.Failure);
        Assert.Equal(first.Result!.Records.Count, _metrics.Records(DnsRecordState.Error));
        Assert.Equal(0, _metrics.Records(DnsRecordState.InSync));
    }

    [Fact]
    public async Task A_new_dkim_key_is_published_at_once_without_waiting_for_the_interval()
    {
        var configuration = Configure(("DNS_CHECK_INTERVAL", "6h"));
        GenerateKey(configuration, "mail");
        await StartAsync(configuration);
        await NextRunAsync();

        GenerateKey(configuration, "mail2027");
        DnsRunEventArgs run;
        do
        {
            // The watcher may fire for each file of the key; the run that saw it is the one that created its record.
            run = await NextRunAsync();
        }
        while (run.Result?.Changes.Any(c => c.Name == "mail2027._domainkey.example.com") != true);

        Assert.Contains(run.Result.Changes, c => c.Action == DnsChangeAction.Create && c.Name == "mail2027._domainkey.example.com");
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero), _time.GetUtcNow());
    }

    [Fact]
    public async Task Changes_waiting_for_the_provider_are_pending_and_looked_at_again_after_30_seconds()
    {
        _provider.Converged = false;
        await StartAsync(Configure(("DNS_CHECK_INTERVAL", "10m")));
        var waiting = await NextRunAsync();
        var pending = _metrics.Records(DnsRecordState.Pending);
        _provider.Converged = true;

        _time.Advance(TimeSpan.FromSeconds(30));
        var done = await NextRunAsync();

        Assert.Equal(waiting.Result!.Records.Count, pending);
        Assert.Equal(done.Result!.Records.Count, _metrics.Records(DnsRecordState.InSync));
        Assert.Equal(0, _metrics.Records(DnsRecordState.Pending));
    }

    private RelayConfiguration Configure(params (string Name, string? Value)[] extra) => TestEnvironment.LoadValid(
        [("MAIL_HOSTNAME", "mail.example.com"), ("MAIL_DOMAINS", "example.com"), ("DATA_DIR", _data.Path), ("DKIM_KEY_SIZE", "1024"), .. extra]);

    private async Task StartAsync(RelayConfiguration configuration)
    {
        Directory.CreateDirectory(configuration.Dkim.KeyDirectory);
        var publisher = new DnsPublisher(configuration, _provider, new StaticAddressSource([IPAddress.Parse("203.0.113.7")]), NullLogger<DnsPublisher>.Instance);
        _service = new DnsPublisherService(publisher, configuration, _metrics, _time, NullLogger<DnsPublisherService>.Instance);
        _service.RunFinished += (_, e) => _runs.Writer.TryWrite(e);
        await _service.StartAsync(CancellationToken.None);
    }

    private async Task<DnsRunEventArgs> NextRunAsync()
    {
        using var deadline = new CancellationTokenSource(Limit);
        return await _runs.Reader.ReadAsync(deadline.Token);
    }

    private static void GenerateKey(RelayConfiguration configuration, string selector)
    {
        using var key = DkimKeyStore.Generate(1024, DkimKeyFiles.For(configuration.Dkim.KeyDirectory, "example.com", selector), NullLogger.Instance);
    }
}

using MailRelay.Configuration;
using MailRelay.Tests.Integration;
using MailRelay.Tests.Support;
using MailRelay.Tls;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace MailRelay.Tests.Tls;

/// <summary>
/// The server certificate follows its mounted Secret: a renewed pair is taken at the next check, a pair that does
/// not load leaves the previous certificate in force, and /metrics shows the expiry of the certificate in use.
/// </summary>
public sealed class TlsCertificateStoreTests : IDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();

    public void Dispose() => _directory.Dispose();

    private TlsCertificateStore Store(MountedSecret secret) =>
        new(new TlsCertificateFiles(secret.FileOf("tls.crt"), secret.FileOf("tls.key")), _time, new TlsMetrics(_registry), NullLogger<TlsCertificateStore>.Instance);

    private async Task<double> MetricAsync(string name, string? result = null)
    {
        using var stream = new MemoryStream();
        await _registry.CollectAndExportAsTextAsync(stream);
        var samples = MetricSample.ParseAll(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        return Assert.Single(samples, s => s.Name == name && (result is null || s.Labels["result"] == result)).Value;
    }

    [Fact]
    public async Task A_renewed_certificate_is_in_use_after_the_next_check_and_its_expiry_is_exported()
    {
        var first = new PemCertificate(TimeSpan.FromDays(10));
        var renewed = new PemCertificate(TimeSpan.FromDays(90));
        var secret = new MountedSecret(Path.Combine(_directory.Path, "tls"), first.SecretFiles);
        using var store = Store(secret);
        await store.StartAsync(CancellationToken.None);
        Assert.Equal(first.Thumbprint, store.Current.GetCertHashString());
        Assert.Equal(first.NotAfterUnixSeconds, await MetricAsync("mailrelay_tls_certificate_expiry_timestamp_seconds"));

        secret.Update(renewed.SecretFiles);
        _time.Advance(TlsCertificateStore.CheckInterval);

        Assert.Equal(renewed.Thumbprint, store.Current.GetCertHashString());
        Assert.Equal(renewed.NotAfterUnixSeconds, await MetricAsync("mailrelay_tls_certificate_expiry_timestamp_seconds"));
        Assert.Equal(1, await MetricAsync("mailrelay_tls_certificate_reloads_total", TlsMetrics.Success));
        Assert.Equal(0, await MetricAsync("mailrelay_tls_certificate_reloads_total", TlsMetrics.Failure));
        await store.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_pair_that_does_not_load_keeps_the_previous_certificate_until_a_good_pair_comes()
    {
        var first = new PemCertificate(TimeSpan.FromDays(10));
        var other = new PemCertificate(TimeSpan.FromDays(90));
        var secret = new MountedSecret(Path.Combine(_directory.Path, "tls"), first.SecretFiles);
        using var store = Store(secret);

        // The renewed certificate with the old key: the pair does not match.
        secret.Update(new Dictionary<string, string> { ["tls.crt"] = other.CertificatePem, ["tls.key"] = first.KeyPem });
        Assert.False(store.ReloadIfChanged());
        Assert.False(store.ReloadIfChanged());

        Assert.Equal(first.Thumbprint, store.Current.GetCertHashString());
        Assert.Equal(first.NotAfterUnixSeconds, await MetricAsync("mailrelay_tls_certificate_expiry_timestamp_seconds"));
        Assert.Equal(1, await MetricAsync("mailrelay_tls_certificate_reloads_total", TlsMetrics.Failure));

        secret.Update(other.SecretFiles);
        Assert.True(store.ReloadIfChanged());
        Assert.Equal(other.Thumbprint, store.Current.GetCertHashString());
        Assert.Equal(1, await MetricAsync("mailrelay_tls_certificate_reloads_total", TlsMetrics.Success));
    }

    [Fact]
    public void A_pair_that_does_not_load_at_start_is_a_startup_error()
    {
        var first = new PemCertificate(TimeSpan.FromDays(10));
        var other = new PemCertificate(TimeSpan.FromDays(10));
        var secret = new MountedSecret(
            Path.Combine(_directory.Path, "tls"), new Dictionary<string, string> { ["tls.crt"] = first.CertificatePem, ["tls.key"] = other.KeyPem });

        var error = Assert.Throws<InvalidOperationException>(() => Store(secret));
        Assert.StartsWith("TLS_CERT_FILE / TLS_KEY_FILE: ", error.Message, StringComparison.Ordinal);
    }
}

using System.Net;
using MailRelay.Configuration;
using MailRelay.Dkim;
using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Addresses;
using MailRelay.Tests.Configuration;
using MailRelay.Tests.Integration;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.DnsPublishing;

public sealed class DnsPublisherTests : IDisposable
{
    private readonly TestDirectory _data = new();
    private readonly InMemoryDnsProvider _provider = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task The_first_apply_creates_the_records_and_their_markers_and_a_second_changes_nothing()
    {
        var configuration = Configure("example.com");
        var key = GenerateKey(configuration, "example.com", "mail");

        var first = await Publisher(configuration).RunAsync(apply: true, CancellationToken.None);
        var writes = _provider.Applied.Count;
        var second = await Publisher(configuration).RunAsync(apply: true, CancellationToken.None);

        Assert.Equal(5, first.Desired.Count);
        Assert.Equal(10, writes);
        Assert.All(first.Records, r => Assert.Equal(DnsRecordState.InSync, r.State));
        Assert.Empty(second.Changes);
        Assert.Equal(writes, _provider.Applied.Count);
        Assert.Equal(DkimTxtRecord.Value(key), Assert.Single(_provider.At("mail._domainkey.example.com", DnsRecordType.TXT)).Value);
        Assert.Equal("203.0.113.7", Assert.Single(_provider.At("mail.example.com", DnsRecordType.A)).Value);
    }

    [Fact]
    public async Task A_plan_reads_but_writes_nothing()
    {
        var configuration = Configure("example.com");

        var plan = await Publisher(configuration).RunAsync(apply: false, CancellationToken.None);

        Assert.False(plan.Applied);
        Assert.NotEmpty(plan.Changes);
        Assert.Empty(_provider.Applied);
        Assert.All(plan.Records, r => Assert.Equal(DnsRecordState.Pending, r.State));
    }

    [Fact]
    public async Task A_rotated_key_under_the_same_selector_replaces_the_published_record()
    {
        var configuration = Configure("example.com");
        GenerateKey(configuration, "example.com", "mail");
        await Publisher(configuration).RunAsync(apply: true, CancellationToken.None);
        var files = DkimKeyFiles.For(configuration.Dkim.KeyDirectory, "example.com", "mail");
        File.Delete(files.PrivateKeyPath);
        File.Delete(files.RecordPath);
        var newKey = GenerateKey(configuration, "example.com", "mail");

        var result = await Publisher(configuration).RunAsync(apply: true, CancellationToken.None);

        Assert.Equal([DnsChangeAction.Create, DnsChangeAction.Update, DnsChangeAction.Delete], result.Changes.Select(c => c.Action));
        Assert.Equal(DkimTxtRecord.Value(newKey), Assert.Single(_provider.At("mail._domainkey.example.com", DnsRecordType.TXT)).Value);
    }

    [Fact]
    public async Task A_key_made_for_a_rotation_is_published_beside_the_active_one()
    {
        var configuration = Configure("example.com");
        GenerateKey(configuration, "example.com", "mail");
        await Publisher(configuration).RunAsync(apply: true, CancellationToken.None);
        var next = GenerateKey(configuration, "example.com", "mail2027");

        var result = await Publisher(configuration).RunAsync(apply: true, CancellationToken.None);

        Assert.Equal(2, result.Changes.Count);
        Assert.Equal(DkimTxtRecord.Value(next), Assert.Single(_provider.At("mail2027._domainkey.example.com", DnsRecordType.TXT)).Value);
        Assert.Single(_provider.At("mail._domainkey.example.com", DnsRecordType.TXT));
    }

    [Fact]
    public async Task A_domain_removed_from_the_configuration_loses_only_the_records_we_made()
    {
        var both = Configure("example.com,example.org");
        GenerateKey(both, "example.org", "mail");
        await Publisher(both).RunAsync(apply: true, CancellationToken.None);
        _provider.Seed("example.org", DnsRecordType.TXT, "google-site-verification=abc");
        _provider.Seed("example.org", DnsRecordType.MX, "20 backup-mx.example.net");

        var result = await Publisher(Configure("example.com")).RunAsync(apply: true, CancellationToken.None);

        Assert.All(result.Changes, c => Assert.Equal(DnsChangeAction.Delete, c.Action));
        Assert.Equal(
            ["example.org MX 20 backup-mx.example.net", "example.org TXT google-site-verification=abc"],
            _provider.Records.Where(r => r.Name.EndsWith("example.org", StringComparison.Ordinal))
                .Select(r => $"{r.Name} {r.Type} {r.Value}").Order(StringComparer.Ordinal));
        Assert.NotEmpty(_provider.At("example.com", DnsRecordType.MX));
    }

    [Fact]
    public async Task While_the_provider_has_not_carried_the_change_out_the_records_stay_pending()
    {
        var configuration = Configure("example.com");
        _provider.Converged = false;

        var waiting = await Publisher(configuration).RunAsync(apply: true, CancellationToken.None);
        _provider.Converged = true;
        var done = await Publisher(configuration).RunAsync(apply: true, CancellationToken.None);

        Assert.All(waiting.Records, r => Assert.Equal(DnsRecordState.Pending, r.State));
        Assert.All(done.Records, r => Assert.Equal(DnsRecordState.InSync, r.State));
    }

    [Fact]
    public async Task A_smarthost_without_addresses_needed_never_asks_for_them()
    {
        var configuration = TestEnvironment.LoadValid(
            ("MAIL_HOSTNAME", "mail.example.com"), ("MAIL_DOMAINS", "example.com"), ("DATA_DIR", _data.Path),
            ("RELAY_HOST", "smtp.example.net"), ("DNS_RECORDS", "spf,dmarc"), ("DNS_SPF_INCLUDE", "_spf.example.net"));
        var publisher = new DnsPublisher(configuration, _provider, new FailingAddressSource(), NullLogger<DnsPublisher>.Instance);

        var result = await publisher.RunAsync(apply: true, CancellationToken.None);

        Assert.Empty(result.Addresses);
        Assert.Equal("v=spf1 include:_spf.example.net ~all", _provider.At("example.com", DnsRecordType.TXT).Single(r => r.Value.StartsWith("v=spf1", StringComparison.Ordinal)).Value);
    }

    private RelayConfiguration Configure(string domains) => TestEnvironment.LoadValid(
        ("MAIL_HOSTNAME", "mail.example.com"), ("MAIL_DOMAINS", domains), ("DATA_DIR", _data.Path),
        ("DNS_OWNER_ID", "mail/relay"), ("DKIM_KEY_SIZE", "1024"));

    private DnsPublisher Publisher(RelayConfiguration configuration) =>
        new(configuration, _provider, new StaticAddressSource([IPAddress.Parse("203.0.113.7")]), NullLogger<DnsPublisher>.Instance);

    private static string GenerateKey(RelayConfiguration configuration, string domain, string selector)
    {
        using var key = DkimKeyStore.Generate(1024, DkimKeyFiles.For(configuration.Dkim.KeyDirectory, domain, selector), NullLogger.Instance);
        return key.PublicKeyBase64;
    }

    private sealed class FailingAddressSource : IPublicAddressSource
    {
        public string Description => "nowhere";

        public Task<IReadOnlyList<IPAddress>> GetAddressesAsync(CancellationToken cancellationToken) =>
            throw new DnsProviderException("addresses were asked for");
    }
}

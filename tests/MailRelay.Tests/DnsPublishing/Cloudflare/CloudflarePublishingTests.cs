using System.Net;
using System.Security.Cryptography;
using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Addresses;
using MailRelay.DnsPublishing.Cloudflare;
using MailRelay.Tests.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.DnsPublishing.Cloudflare;

/// <summary>
/// The publisher end to end through the Cloudflare provider and the fake API: what the zone holds after each run,
/// and which writes reached the API.
/// </summary>
public sealed class CloudflarePublishingTests : IDisposable
{
    private const string Owner = "relay-test";
    private const string Address = "203.0.113.25";

    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task The_first_run_creates_exactly_the_desired_records_and_the_second_changes_nothing()
    {
        await using var harness = await CloudflareHarness.StartAsync();
        harness.Api.AddZone("example.com");
        var key = WriteDkimKey("example.com", "mail");
        var provider = harness.Provider();

        var first = await PublishAsync(provider, "example.com");
        var afterFirst = harness.Api.Requests.Count;
        var second = await PublishAsync(provider, "example.com");

        var spf = $"v=spf1 ip4:{Address} a:mail.example.com ~all";
        var dkim = $"v=DKIM1; k=rsa; p={key}";
        var dmarc = "v=DMARC1; p=none; rua=mailto:postmaster@example.com";
        Assert.Equal(
            new[]
            {
                $"A mail.example.com {Address}",
                "MX example.com 10 mail.example.com",
                $"TXT _dmarc.example.com {dmarc}",
                $"TXT _mail-relay-owner._dmarc.example.com {OwnershipMarker.ValueFor(Owner, RecordKind.Dmarc, [dmarc])}",
                $"TXT _mail-relay-owner.example.com {OwnershipMarker.ValueFor(Owner, RecordKind.Mx, ["10 mail.example.com"])}",
                $"TXT _mail-relay-owner.example.com {OwnershipMarker.ValueFor(Owner, RecordKind.Spf, [spf])}",
                $"TXT _mail-relay-owner.mail._domainkey.example.com {OwnershipMarker.ValueFor(Owner, RecordKind.Dkim, [dkim])}",
                $"TXT _mail-relay-owner.mail.example.com {OwnershipMarker.ValueFor(Owner, RecordKind.A, [Address])}",
                $"TXT example.com {spf}",
                $"TXT mail._domainkey.example.com {dkim}",
            }.Order(StringComparer.Ordinal),
            Zone(harness));
        Assert.All(first.Changes, c => Assert.Equal(DnsChangeAction.Create, c.Action));
        Assert.Equal(first.Changes.Count, harness.Api.Requests.Count(r => r.IsWrite));
        Assert.All(harness.Api.Records.Where(r => r.Type == "TXT"), r => Assert.StartsWith("\"", r.Content, StringComparison.Ordinal));
        Assert.Empty(second.Changes);
        Assert.All(second.Records, r => Assert.Equal(DnsRecordState.InSync, r.State));
        Assert.DoesNotContain(harness.Api.Requests.Skip(afterFirst), r => r.IsWrite);
    }

    [Fact]
    public async Task Proxied_addresses_stored_with_an_automatic_ttl_are_in_sync_on_the_next_run()
    {
        await using var harness = await CloudflareHarness.StartAsync();
        harness.Api.AddZone("example.com");
        var provider = harness.Provider(proxied: true);

        await PublishAsync(provider, "example.com", records: "a");
        var writes = harness.Api.Requests.Count(r => r.IsWrite);
        var second = await PublishAsync(provider, "example.com", records: "a");

        var address = Assert.Single(harness.Api.Records, r => r.Type == "A");
        Assert.Equal((true, 1), (address.Proxied, address.Ttl));
        Assert.Empty(second.Changes);
        Assert.Equal(writes, harness.Api.Requests.Count(r => r.IsWrite));
    }

    [Fact]
    public async Task A_foreign_mx_stays_untouched_and_is_reported_as_a_conflict()
    {
        await using var harness = await CloudflareHarness.StartAsync();
        harness.Api.AddZone("example.com");
        var foreign = harness.Api.AddRecord("example.com", "MX", "example.com", "aspmx.l.google.com", ttl: 3600, priority: 1);
        var provider = harness.Provider();

        var result = await PublishAsync(provider, "example.com", records: "mx,spf");

        var mx = Assert.Single(result.Records, r => r.Kind == RecordKind.Mx);
        Assert.Equal(DnsRecordState.Conflict, mx.State);
        Assert.Contains("1 aspmx.l.google.com", mx.Detail, StringComparison.Ordinal);
        Assert.Equal(foreign, Assert.Single(harness.Api.Records, r => r.Type == "MX"));
        Assert.DoesNotContain(harness.Api.Requests, r => r.IsWrite && r.Path.EndsWith(foreign.Id, StringComparison.Ordinal));
        Assert.DoesNotContain(harness.Api.Records, r => r.Content.Contains("kind=mx", StringComparison.Ordinal));
        Assert.Contains(harness.Api.Records, r => r.Content.Contains("kind=spf", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rotated_dkim_key_replaces_the_published_one_in_place_with_its_marker_claiming_it()
    {
        await using var harness = await CloudflareHarness.StartAsync();
        harness.Api.AddZone("example.com");
        WriteDkimKey("example.com", "mail");
        var provider = harness.Provider();
        await PublishAsync(provider, "example.com", records: "dkim");
        var before = harness.Api.Records.Single(r => r.Name == "mail._domainkey.example.com");
        var oldMarker = harness.Api.Records.Single(r => r.Name == OwnershipMarker.NameFor(before.Name));
        var writesBefore = harness.Api.Requests.Count(r => r.IsWrite);

        var rotated = WriteDkimKey("example.com", "mail");
        await PublishAsync(provider, "example.com", records: "dkim");

        var writes = harness.Api.Requests.Where(r => r.IsWrite).Skip(writesBefore).ToList();
        var records = $"/zones/{before.ZoneId}/dns_records";
        Assert.Equal(
            [$"POST {records}", $"PATCH {records}/{before.Id}", $"DELETE {records}/{oldMarker.Id}"],
            writes.Select(r => r.ToString()));
        var after = Assert.Single(harness.Api.Records, r => r.Name == "mail._domainkey.example.com");
        Assert.Equal(before.Id, after.Id);
        var marker = Assert.Single(harness.Api.Records, r => r.Name == OwnershipMarker.NameFor(after.Name));
        Assert.Equal(OwnershipMarker.ValueFor(Owner, RecordKind.Dkim, [$"v=DKIM1; k=rsa; p={rotated}"]), CloudflareTxtContent.Join(marker.Content));
        Assert.Equal($"v=DKIM1; k=rsa; p={rotated}", CloudflareTxtContent.Join(after.Content));
    }

    [Fact]
    public async Task A_domain_removed_from_the_configuration_loses_only_our_records()
    {
        await using var harness = await CloudflareHarness.StartAsync();
        harness.Api.AddZone("example.com");
        harness.Api.AddZone("example.org");
        var provider = harness.Provider();
        await PublishAsync(provider, "example.com,example.org", records: "mx,spf,dmarc");
        var verification = harness.Api.AddRecord("example.org", "TXT", "example.org", "\"google-site-verification=abc123\"");
        var kept = Zone(harness).Where(r => !r.Contains("example.org", StringComparison.Ordinal)).ToList();
        var writesBefore = harness.Api.Requests.Count(r => r.IsWrite);

        var result = await PublishAsync(provider, "example.com", records: "mx,spf,dmarc");

        Assert.Equal(kept.Append("TXT example.org google-site-verification=abc123").Order(StringComparer.Ordinal), Zone(harness));
        Assert.Contains(verification, harness.Api.Records);
        var writes = harness.Api.Requests.Where(r => r.IsWrite).Skip(writesBefore).ToList();
        Assert.NotEmpty(writes);
        Assert.All(writes, r => Assert.Equal("DELETE", r.Method));
        Assert.Equal(writes.Count, result.Changes.Count);
    }

    /// <summary>The zone's records as "TYPE name value" in canonical form, sorted.</summary>
    private static List<string> Zone(CloudflareHarness harness) =>
        harness.Api.Records
            .Select(r => r.Type switch
            {
                "MX" => $"MX {r.Name} {r.Priority} {r.Content}",
                "TXT" => $"TXT {r.Name} {CloudflareTxtContent.Join(r.Content)}",
                _ => $"{r.Type} {r.Name} {r.Content}",
            })
            .Order(StringComparer.Ordinal)
            .ToList();

    private async Task<DnsPublishResult> PublishAsync(CloudflareDnsProvider provider, string domains, string records = "a,mx,spf,dkim,dmarc")
    {
        var configuration = TestEnvironment.LoadValid(
            ("MAIL_HOSTNAME", "mail.example.com"),
            ("MAIL_DOMAINS", domains),
            ("DATA_DIR", _data.Path),
            ("DNS_PROVIDER", "cloudflare"),
            ("CLOUDFLARE_API_TOKEN", CloudflareHarness.Token),
            ("DNS_RECORDS", records),
            ("DNS_OWNER_ID", Owner),
            ("DNS_EXTERNAL_IPS", Address));
        var publisher = new DnsPublisher(configuration, provider, new StaticAddressSource([IPAddress.Parse(Address)]), NullLogger<DnsPublisher>.Instance);
        return await publisher.RunAsync(apply: true, CancellationToken.None);
    }

    /// <summary>Writes a new 2048-bit key for the selector (its record is over 255 octets); returns its p= value.</summary>
    private string WriteDkimKey(string domain, string selector)
    {
        using var rsa = RSA.Create(2048);
        var directory = Directory.CreateDirectory(Path.Combine(_data.Path, "dkim-keys", domain)).FullName;
        File.WriteAllText(Path.Combine(directory, selector + ".private"), rsa.ExportPkcs8PrivateKeyPem());
        return Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
    }
}

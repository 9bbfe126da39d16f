using MailRelay.DnsPublishing;

namespace MailRelay.Tests.DnsPublishing.Cloudflare;

public sealed class CloudflareReadTests
{
    [Fact]
    public async Task Read_maps_each_type_to_its_canonical_value_an_automatic_ttl_to_300_s_and_keeps_the_record_id()
    {
        await using var harness = await CloudflareHarness.StartWithZoneAsync();
        var mx = harness.Api.AddRecord("example.com", "MX", "example.com", "Mail.Example.com.", ttl: 3600, priority: 10);
        var quoted = harness.Api.AddRecord("example.com", "TXT", "example.com", "\"v=spf1 a:mail.example.com -all\"", ttl: 600);
        var split = harness.Api.AddRecord("example.com", "TXT", "sel._domainkey.example.com", "\"v=DKIM1; k=rsa; \" \"p=MIIBIjAN\"");
        var bare = harness.Api.AddRecord("example.com", "TXT", "_dmarc.example.com", "v=DMARC1; p=none");
        var escaped = harness.Api.AddRecord("example.com", "TXT", "quote.example.com", "\"say \\\"hi\\\" \\\\ \\065\"");
        var aaaa = harness.Api.AddRecord("example.com", "AAAA", "Mail.Example.com", "2001:DB8:0:0:0:0:0:25");
        var a = harness.Api.AddRecord("example.com", "A", "mail.example.com", "192.0.2.25", proxied: true);
        harness.Api.AddRecord("example.com", "CNAME", "www.example.com", "example.com");
        var provider = harness.ZoneProvider();

        var records = await provider.ReadAsync(["example.com"], CancellationToken.None);

        Assert.Equal(
            [
                new DnsRecord("example.com", DnsRecordType.MX, "10 mail.example.com", 3600, mx.Id),
                new DnsRecord("example.com", DnsRecordType.TXT, "v=spf1 a:mail.example.com -all", 600, quoted.Id),
                new DnsRecord("sel._domainkey.example.com", DnsRecordType.TXT, "v=DKIM1; k=rsa; p=MIIBIjAN", 300, split.Id),
                new DnsRecord("_dmarc.example.com", DnsRecordType.TXT, "v=DMARC1; p=none", 300, bare.Id),
                new DnsRecord("quote.example.com", DnsRecordType.TXT, "say \"hi\" \\ A", 300, escaped.Id),
                new DnsRecord("mail.example.com", DnsRecordType.AAAA, "2001:db8::25", 300, aaaa.Id),
                new DnsRecord("mail.example.com", DnsRecordType.A, "192.0.2.25", 300, a.Id),
            ],
            records);
    }

    [Fact]
    public async Task Read_follows_every_page_of_the_listing()
    {
        await using var harness = await CloudflareHarness.StartWithZoneAsync();
        for (var i = 0; i < 12; i++)
        {
            harness.Api.AddRecord("example.com", "TXT", $"r{i}.example.com", $"\"value {i}\"", ttl: 300);
        }

        var provider = harness.ZoneProvider(recordsPerPage: 5);

        var records = await provider.ReadAsync(["example.com"], CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"value {i}"), records.Select(r => r.Value));
        Assert.Equal(
            [
                $"GET /zones/{harness.ZoneId}/dns_records?page=1&per_page=5",
                $"GET /zones/{harness.ZoneId}/dns_records?page=2&per_page=5",
                $"GET /zones/{harness.ZoneId}/dns_records?page=3&per_page=5",
            ],
            harness.Api.Requests.Select(r => r.ToString()));
    }

    [Fact]
    public async Task Names_in_one_zone_share_one_listing_and_each_zone_is_listed_once()
    {
        await using var harness = await CloudflareHarness.StartAsync();
        var exampleId = harness.Api.AddZone("example.com");
        var otherId = harness.Api.AddZone("example.org");
        harness.Api.AddRecord("example.com", "TXT", "_dmarc.example.com", "\"v=DMARC1; p=none\"");
        harness.Api.AddRecord("example.org", "TXT", "_dmarc.example.org", "\"v=DMARC1; p=reject\"");
        var provider = harness.Provider(new Dictionary<string, string> { ["example.com"] = exampleId, ["example.org"] = otherId });

        var records = await provider.ReadAsync(
            ["example.com", "_dmarc.example.com", "sel._domainkey.example.com", "example.org", "_dmarc.example.org"],
            CancellationToken.None);

        Assert.Equal(["v=DMARC1; p=none", "v=DMARC1; p=reject"], records.Select(r => r.Value));
        Assert.Equal(
            [$"/zones/{exampleId}/dns_records", $"/zones/{otherId}/dns_records"],
            harness.Api.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task Every_request_carries_the_token_as_a_bearer_credential()
    {
        await using var harness = await CloudflareHarness.StartAsync();
        harness.Api.AddZone("example.com");
        var provider = harness.Provider();

        await provider.ReadAsync(["example.com"], CancellationToken.None);

        Assert.NotEmpty(harness.Api.Requests);
        Assert.All(harness.Api.Requests, request => Assert.Equal($"Bearer {CloudflareHarness.Token}", request.Authorization));
    }
}

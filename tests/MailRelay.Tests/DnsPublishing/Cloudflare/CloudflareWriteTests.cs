using System.Text.Json.Nodes;
using MailRelay.DnsPublishing;

namespace MailRelay.Tests.DnsPublishing.Cloudflare;

public sealed class CloudflareWriteTests
{
    [Fact]
    public async Task Creates_post_each_record_with_proxied_and_an_automatic_ttl_only_on_addresses()
    {
        await using var harness = await CloudflareHarness.StartWithZoneAsync();
        var provider = harness.ZoneProvider(proxied: true);

        await provider.ApplyAsync(
            [
                DnsChange.Create(new DnsRecord("mail.example.com", DnsRecordType.A, "192.0.2.25", 300)),
                DnsChange.Create(new DnsRecord("mail.example.com", DnsRecordType.AAAA, "2001:db8::25", 300)),
                DnsChange.Create(new DnsRecord("example.com", DnsRecordType.MX, "10 mail.example.com", 3600)),
                DnsChange.Create(new DnsRecord("example.com", DnsRecordType.TXT, "v=spf1 a:mail.example.com -all", 3600)),
            ],
            CancellationToken.None);

        var writes = harness.Api.Requests.Where(r => r.IsWrite).ToList();
        Assert.All(writes, r => Assert.Equal(("POST", $"/zones/{harness.ZoneId}/dns_records"), (r.Method, r.Path)));
        Assert.Equal(4, writes.Count);
        AssertJson("""{"type":"A","name":"mail.example.com","content":"192.0.2.25","ttl":1,"proxied":true}""", writes[0].Body);
        AssertJson("""{"type":"AAAA","name":"mail.example.com","content":"2001:db8::25","ttl":1,"proxied":true}""", writes[1].Body);
        AssertJson("""{"type":"MX","name":"example.com","content":"mail.example.com","ttl":3600,"proxied":false,"priority":10}""", writes[2].Body);
        AssertJson("""{"type":"TXT","name":"example.com","content":"\"v=spf1 a:mail.example.com -all\"","ttl":3600,"proxied":false}""", writes[3].Body);
        Assert.Equal(4, harness.Api.Records.Count);
    }

    [Fact]
    public async Task Addresses_are_not_proxied_unless_the_settings_say_so()
    {
        await using var harness = await CloudflareHarness.StartWithZoneAsync();
        var provider = harness.ZoneProvider();

        await provider.ApplyAsync([DnsChange.Create(new DnsRecord("mail.example.com", DnsRecordType.A, "192.0.2.25", 300))], CancellationToken.None);

        var body = JsonNode.Parse(harness.Api.Requests.Single(r => r.IsWrite).Body!)!;
        Assert.False((bool)body["proxied"]!);
        Assert.False(Assert.Single(harness.Api.Records).Proxied);
    }

    [Fact]
    public async Task A_txt_value_over_255_octets_is_sent_as_quoted_255_octet_strings_and_reads_back_whole()
    {
        await using var harness = await CloudflareHarness.StartWithZoneAsync();
        var provider = harness.ZoneProvider();
        var key = "v=DKIM1; k=rsa; p=" + new string('A', 392);

        await provider.ApplyAsync([DnsChange.Create(new DnsRecord("sel._domainkey.example.com", DnsRecordType.TXT, key, 3600))], CancellationToken.None);

        var content = (string)JsonNode.Parse(harness.Api.Requests.Single(r => r.IsWrite).Body!)!["content"]!;
        Assert.Equal($"\"{key[..255]}\" \"{key[255..]}\"", content);
        var read = Assert.Single(await provider.ReadAsync(["sel._domainkey.example.com"], CancellationToken.None));
        Assert.Equal(key, read.Value);
    }

    [Fact]
    public async Task Updates_patch_and_deletes_delete_the_record_read()
    {
        await using var harness = await CloudflareHarness.StartWithZoneAsync();
        var dkim = harness.Api.AddRecord("example.com", "TXT", "sel._domainkey.example.com", "\"v=DKIM1; k=rsa; p=OLD\"", ttl: 3600);
        var stale = harness.Api.AddRecord("example.com", "MX", "example.com", "old.example.com", ttl: 3600, priority: 20);
        var provider = harness.ZoneProvider();
        var read = await provider.ReadAsync(["example.com", "sel._domainkey.example.com"], CancellationToken.None);
        var oldKey = read.Single(r => r.Type == DnsRecordType.TXT);
        var oldMx = read.Single(r => r.Type == DnsRecordType.MX);

        await provider.ApplyAsync(
            [DnsChange.Update(oldKey, oldKey with { Value = "v=DKIM1; k=rsa; p=NEW", Ttl = 600 }), DnsChange.Delete(oldMx)],
            CancellationToken.None);

        var writes = harness.Api.Requests.Where(r => r.IsWrite).ToList();
        Assert.Equal(
            [$"PATCH /zones/{harness.ZoneId}/dns_records/{dkim.Id}", $"DELETE /zones/{harness.ZoneId}/dns_records/{stale.Id}"],
            writes.Select(r => r.ToString()));
        AssertJson(
            """{"type":"TXT","name":"sel._domainkey.example.com","content":"\"v=DKIM1; k=rsa; p=NEW\"","ttl":600,"proxied":false}""",
            writes[0].Body);
        var left = Assert.Single(harness.Api.Records);
        Assert.Equal((dkim.Id, "\"v=DKIM1; k=rsa; p=NEW\"", 600), (left.Id, left.Content, left.Ttl));
    }

    [Fact]
    public async Task A_change_to_a_record_without_a_cloudflare_id_is_refused_before_any_call()
    {
        await using var harness = await CloudflareHarness.StartWithZoneAsync();
        var provider = harness.ZoneProvider();
        var unread = new DnsRecord("example.com", DnsRecordType.TXT, "v=spf1 -all", 300);

        await Assert.ThrowsAsync<DnsProviderException>(() => provider.ApplyAsync([DnsChange.Delete(unread)], CancellationToken.None));

        Assert.Empty(harness.Api.Requests);
    }

    [Fact]
    public async Task A_refused_change_stops_the_batch_with_cloudflares_reason()
    {
        await using var harness = await CloudflareHarness.StartWithZoneAsync();
        harness.Api.AddRecord("example.com", "TXT", "example.com", "\"v=spf1 -all\"");
        var provider = harness.ZoneProvider();

        var error = await Assert.ThrowsAsync<DnsProviderException>(() => provider.ApplyAsync(
            [
                DnsChange.Create(new DnsRecord("example.com", DnsRecordType.TXT, "v=spf1 -all", 300)),
                DnsChange.Create(new DnsRecord("_dmarc.example.com", DnsRecordType.TXT, "v=DMARC1; p=none", 300)),
            ],
            CancellationToken.None));

        Assert.Contains("81058 An identical record already exists.", error.Message, StringComparison.Ordinal);
        Assert.Single(harness.Api.Requests, r => r.IsWrite);
        Assert.Single(harness.Api.Records);
    }

    /// <summary>Same JSON, field order aside; a field present on one side only is a difference.</summary>
    private static void AssertJson(string expected, string? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual!)), $"expected {expected}, sent {actual}");
}

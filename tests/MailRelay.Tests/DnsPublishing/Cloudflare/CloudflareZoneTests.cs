using MailRelay.DnsPublishing;

namespace MailRelay.Tests.DnsPublishing.Cloudflare;

public sealed class CloudflareZoneTests
{
    [Fact]
    public async Task The_zone_is_the_longest_suffix_found_through_the_api()
    {
        await using var harness = await CloudflareHarness.StartAsync();
        var parentId = harness.Api.AddZone("example.com");
        var subId = harness.Api.AddZone("sub.example.com");
        harness.Api.AddRecord("example.com", "A", "mail.sub.example.com", "192.0.2.1");
        harness.Api.AddRecord("sub.example.com", "A", "mail.sub.example.com", "192.0.2.2");
        var provider = harness.Provider();

        var records = await provider.ReadAsync(["mail.sub.example.com"], CancellationToken.None);

        Assert.Equal("192.0.2.2", Assert.Single(records).Value);
        Assert.Equal(
            [
                "GET /zones?name=mail.sub.example.com&page=1&per_page=50",
                "GET /zones?name=sub.example.com&page=1&per_page=50",
                $"GET /zones/{subId}/dns_records?page=1&per_page=1000",
            ],
            harness.Api.Requests.Select(r => r.ToString()));
        Assert.DoesNotContain(harness.Api.Requests, r => r.Path.Contains(parentId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_zone_named_in_the_settings_is_used_without_asking_the_api()
    {
        await using var harness = await CloudflareHarness.StartAsync();
        var parentId = harness.Api.AddZone("example.com");
        var subId = harness.Api.AddZone("sub.example.com");
        var provider = harness.Provider(new Dictionary<string, string> { ["example.com"] = parentId, ["Sub.Example.com."] = subId });

        await provider.ReadAsync(["mail.sub.example.com", "example.com"], CancellationToken.None);

        Assert.DoesNotContain(harness.Api.Requests, r => r.Path == "/zones");
        Assert.Equal(
            [$"/zones/{subId}/dns_records", $"/zones/{parentId}/dns_records"],
            harness.Api.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task Zones_found_once_are_not_looked_up_again()
    {
        await using var harness = await CloudflareHarness.StartAsync();
        harness.Api.AddZone("example.com");
        var provider = harness.Provider();

        await provider.ReadAsync(["_dmarc.example.com", "example.com"], CancellationToken.None);
        var lookups = harness.Api.Requests.Count(r => r.Path == "/zones");
        await provider.ReadAsync(["_dmarc.example.com", "example.com", "mail.example.com"], CancellationToken.None);

        Assert.Equal(2, lookups);
        Assert.Equal(3, harness.Api.Requests.Count(r => r.Path == "/zones"));
        Assert.Equal("GET /zones?name=mail.example.com&page=1&per_page=50", harness.Api.Requests.Last(r => r.Path == "/zones").ToString());
    }

    [Fact]
    public async Task A_name_in_no_zone_is_an_error_that_names_it()
    {
        await using var harness = await CloudflareHarness.StartAsync();
        harness.Api.AddZone("example.com");
        var provider = harness.Provider();

        var error = await Assert.ThrowsAsync<DnsProviderException>(() => provider.ReadAsync(["mail.example.net"], CancellationToken.None));

        Assert.Contains("mail.example.net", error.Message, StringComparison.Ordinal);
        Assert.Contains("CLOUDFLARE_ZONE_IDS", error.Message, StringComparison.Ordinal);
        Assert.Equal(
            ["/zones?name=mail.example.net&page=1&per_page=50", "/zones?name=example.net&page=1&per_page=50"],
            harness.Api.Requests.Select(r => r.Path + r.Query));
    }
}

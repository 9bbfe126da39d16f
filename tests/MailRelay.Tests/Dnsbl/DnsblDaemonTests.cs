using MailRelay.Dnsbl;
using MailRelay.Tests.Integration;
using MailRelay.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static MailRelay.Tests.Dnsbl.DnsblBindHarness;

namespace MailRelay.Tests.Dnsbl;

/// <summary>The monitor inside the relay: registered by the host, run at start, its results on the admin listener's /metrics.</summary>
[Collection(BindTestGroup.Name)]
public class DnsblDaemonTests(BindFixture fixture)
{
    private readonly BindServer _bind = fixture.Server;

    [Fact]
    public async Task The_relay_checks_at_start_and_serves_the_results_on_metrics()
    {
        using var lists = new DnsblBindHarness(_bind);
        lists.List(IpName(lists.IpZone), "Listed in the test list", "127.0.0.2");
        lists.List(lists.DomainName(), null, "127.255.255.254");

        await using var relay = await InProcessRelay.StartAsync(lists.Environment);
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        relay.Services.GetRequiredService<DnsblService>().CheckFinished += (_, _) => finished.TrySetResult();
        // Subscribed first, then looked: a check that ended before the subscription shows in the metrics.
        if (LastCheck(await ScrapeAsync(relay)) == 0)
        {
            await finished.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        var samples = await ScrapeAsync(relay);
        Assert.True(LastCheck(samples) > 0);
        Assert.Equal(1, Listed(samples, lists.IpZone, Address));
        Assert.Equal(0, Listed(samples, lists.IpZone, Address6));
        Assert.Null(Listed(samples, lists.DomainZone, Domain));
        Assert.Equal(1, samples.Single(s => s.Name == "mailrelay_dnsbl_errors_total" && s.Labels["list"] == lists.DomainZone && s.Labels["reason"] == "refused").Value);
        Assert.Contains($"{Address} is LISTED on {lists.IpZone}", relay.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_known_addresses_the_relay_says_why_it_does_not_check()
    {
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?> { ["MAIL_DOMAINS"] = "example.com" });

        Assert.Null(relay.Services.GetService<DnsblService>());
        Assert.Contains("Blocklists: not checked: the sending addresses are unknown", relay.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("mailrelay_dnsbl_", await relay.GetAdminAsync("/metrics"), StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<MetricSample>> ScrapeAsync(InProcessRelay relay) => MetricSample.ParseAll(await relay.GetAdminAsync("/metrics"));

    private static double LastCheck(IReadOnlyList<MetricSample> samples) =>
        samples.Single(s => s.Name == "mailrelay_dnsbl_last_check_timestamp_seconds").Value;

    private static double? Listed(IReadOnlyList<MetricSample> samples, string list, string target) =>
        samples.FirstOrDefault(s => s.Name == "mailrelay_dnsbl_listed" && s.Labels["list"] == list && s.Labels["target"] == target)?.Value;
}

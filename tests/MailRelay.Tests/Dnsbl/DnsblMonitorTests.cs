using MailRelay.Dnsbl;
using MailRelay.Tests.Support;
using static MailRelay.Tests.Dnsbl.DnsblBindHarness;

namespace MailRelay.Tests.Dnsbl;

/// <summary>The monitor against a real name server whose lists change while it runs.</summary>
[Collection(BindTestGroup.Name)]
public class DnsblMonitorTests(BindFixture fixture)
{
    private readonly BindServer _bind = fixture.Server;

    [Fact]
    public async Task A_listing_is_reported_with_its_reason_then_the_delisting_after_the_list_drops_it()
    {
        using var relay = new DnsblBindHarness(_bind);
        relay.List(IpName(relay.IpZone), "Listed for sending to traps, see https://bl.example/lookup", "127.0.0.2");
        relay.List(relay.DomainName(), "Domain seen in spam", "127.0.1.2");

        var first = await relay.Monitor.CheckAsync(CancellationToken.None);

        var ip = Assert.Single(first.Results, r => r.Target == Address);
        Assert.Equal(DnsblState.Listed, ip.State);
        Assert.Equal("127.0.0.2", ip.Answer);
        Assert.Equal("Listed for sending to traps, see https://bl.example/lookup", ip.Reason);
        Assert.Equal(DnsblState.Clean, Assert.Single(first.Results, r => r.Target == Address6).State);
        Assert.Equal(DnsblState.Listed, Assert.Single(first.Results, r => r.Target == Domain).State);
        Assert.Equal(1, await relay.ListedAsync(relay.IpZone, Address));
        Assert.Equal(0, await relay.ListedAsync(relay.IpZone, Address6));
        Assert.Equal(1, await relay.ListedAsync(relay.DomainZone, Domain));
        Assert.Equal([(Address, true), (Domain, true)], relay.Changes.Select(c => (c.Result.Target, c.Listed)).Order());
        Assert.Contains(relay.Logger.Messages, m => m.Contains($"{Address} is LISTED on {relay.IpZone}", StringComparison.Ordinal)
            && m.Contains("Listed for sending to traps", StringComparison.Ordinal));

        relay.Unlist(IpName(relay.IpZone));
        relay.Time.Advance(TimeSpan.FromHours(1));
        var second = await relay.Monitor.CheckAsync(CancellationToken.None);

        Assert.Equal(DnsblState.Clean, Assert.Single(second.Results, r => r.Target == Address).State);
        Assert.Equal(0, await relay.ListedAsync(relay.IpZone, Address));
        Assert.Equal(1, await relay.ListedAsync(relay.DomainZone, Domain));
        var delisted = relay.Changes[^1];
        Assert.False(delisted.Listed);
        Assert.Equal(Address, delisted.Result.Target);
        Assert.Equal(3, relay.Changes.Count);
        Assert.Contains(relay.Logger.Messages, m => m.Contains($"{Address} is no longer listed on {relay.IpZone}", StringComparison.Ordinal));
        var lastCheck = (await relay.ScrapeAsync()).Single(s => s.Name == "mailrelay_dnsbl_last_check_timestamp_seconds").Value;
        Assert.Equal(relay.Time.GetUtcNow().ToUnixTimeSeconds(), lastCheck);
    }

    [Fact]
    public async Task An_ipv6_address_is_looked_up_by_its_nibbles()
    {
        using var relay = new DnsblBindHarness(_bind);
        relay.List(IpName(relay.IpZone, Address6), null, "127.0.0.4");

        var report = await relay.Monitor.CheckAsync(CancellationToken.None);

        var result = Assert.Single(report.Results, r => r.Target == Address6);
        Assert.Equal(DnsblState.Listed, result.State);
        Assert.Null(result.Reason);
        Assert.Equal(1, await relay.ListedAsync(relay.IpZone, Address6));
        Assert.Contains(relay.Logger.Messages, m => m.Contains("no reason given", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refusal_codes_are_errors_not_listings()
    {
        using var relay = new DnsblBindHarness(_bind);
        relay.List(IpName(relay.IpZone), "Query via public resolver", "127.255.255.254");
        relay.List(IpName(relay.IpZone, Address6), "Query refused", "127.0.0.1");
        relay.List(relay.DomainName(), null, "127.0.1.255");

        var report = await relay.Monitor.CheckAsync(CancellationToken.None);

        Assert.All(report.Results, r => Assert.Equal(DnsblState.Error, r.State));
        Assert.All(report.Results, r => Assert.Equal(DnsblErrorReason.Refused, r.Error));
        Assert.Empty(relay.Changes);
        Assert.Null(await relay.ListedAsync(relay.IpZone, Address));
        Assert.Null(await relay.ListedAsync(relay.DomainZone, Domain));
        Assert.Equal(2, await relay.ErrorsAsync(relay.IpZone, "refused"));
        Assert.Equal(1, await relay.ErrorsAsync(relay.DomainZone, "refused"));
        Assert.Equal(0, await relay.ErrorsAsync(relay.IpZone, "timeout"));
        Assert.DoesNotContain(relay.Logger.Messages, m => m.Contains("LISTED", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_error_after_a_listing_leaves_the_listing_standing()
    {
        using var relay = new DnsblBindHarness(_bind);
        relay.List(IpName(relay.IpZone), null, "127.0.0.2");
        await relay.Monitor.CheckAsync(CancellationToken.None);

        relay.List(IpName(relay.IpZone), null, "127.255.255.255");
        var report = await relay.Monitor.CheckAsync(CancellationToken.None);

        Assert.Equal(DnsblState.Error, Assert.Single(report.Results, r => r.Target == Address).State);
        Assert.Equal(1, await relay.ListedAsync(relay.IpZone, Address));
        Assert.Single(relay.Changes);
        Assert.Contains(relay.Monitor.Known, r => r.Target == Address && r.State == DnsblState.Listed);

        relay.Unlist(IpName(relay.IpZone));
        await relay.Monitor.CheckAsync(CancellationToken.None);

        Assert.Equal(0, await relay.ListedAsync(relay.IpZone, Address));
        Assert.False(relay.Changes[^1].Listed);
    }

    [Fact]
    public async Task An_answer_the_list_does_not_define_is_an_error()
    {
        using var relay = new DnsblBindHarness(_bind);
        relay.List(relay.DomainName(), null, "127.0.0.2");

        var report = await relay.Monitor.CheckAsync(CancellationToken.None);

        var result = Assert.Single(report.Results, r => r.Target == Domain);
        Assert.Equal(DnsblState.Error, result.State);
        Assert.Equal(DnsblErrorReason.UnexpectedAnswer, result.Error);
        Assert.Equal(1, await relay.ErrorsAsync(relay.DomainZone, "unexpected_answer"));
        Assert.Null(await relay.ListedAsync(relay.DomainZone, Domain));
    }

    [Fact]
    public async Task A_resolver_failure_is_an_error_of_that_list()
    {
        // example.net is not served here: the name server answers REFUSED, as a resolver that cannot reach a list would fail.
        using var relay = new DnsblBindHarness(_bind, ("DNSBL_IP_LISTS", "bl.example.net"));

        var report = await relay.Monitor.CheckAsync(CancellationToken.None);

        Assert.All(report.Results.Where(r => r.List.Kind == DnsblListKind.Ip), r =>
        {
            Assert.Equal(DnsblState.Error, r.State);
            Assert.Equal(DnsblErrorReason.DnsFailure, r.Error);
        });
        Assert.Equal(2, await relay.ErrorsAsync("bl.example.net", "dns_failure"));
        Assert.Equal(DnsblState.Clean, Assert.Single(report.Results, r => r.Target == Domain).State);
        Assert.Contains(relay.Logger.Messages, m => m.Contains("gave no answer", StringComparison.Ordinal));
    }
}

using System.Threading.Channels;
using MailRelay.Dnsbl;
using MailRelay.Tests.Support;
using static MailRelay.Tests.Dnsbl.DnsblBindHarness;

namespace MailRelay.Tests.Dnsbl;

[Collection(BindTestGroup.Name)]
public class DnsblServiceTests(BindFixture fixture)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly BindServer _bind = fixture.Server;

    [Fact]
    public async Task The_service_checks_at_start_and_again_every_interval()
    {
        using var relay = new DnsblBindHarness(_bind, ("DNSBL_INTERVAL", "20m"));
        var reports = Channel.CreateUnbounded<DnsblReport?>();
        using var service = new DnsblService(relay.Monitor, relay.Time, new RecordingLogger<DnsblService>());
        service.CheckFinished += (_, report) => reports.Writer.TryWrite(report);
        using var limit = new CancellationTokenSource(Limit);

        await service.StartAsync(CancellationToken.None);
        var first = await reports.Reader.ReadAsync(limit.Token);
        Assert.NotNull(first);
        Assert.Equal(0, first.Count(DnsblState.Listed));

        relay.List(IpName(relay.IpZone), null, "127.0.0.2");
        relay.Time.Advance(TimeSpan.FromMinutes(19));
        Assert.False(reports.Reader.TryRead(out _));
        relay.Time.Advance(TimeSpan.FromMinutes(1));
        var second = await reports.Reader.ReadAsync(limit.Token);

        Assert.NotNull(second);
        Assert.Equal(DnsblState.Listed, Assert.Single(second.Results, r => r.Target == Address).State);
        Assert.Equal(1, await relay.ListedAsync(relay.IpZone, Address));
        await service.StopAsync(CancellationToken.None);
    }
}

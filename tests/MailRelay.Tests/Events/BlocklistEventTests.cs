using MailRelay.Events;
using MailRelay.Queue;
using MailRelay.Tests.Dnsbl;
using MailRelay.Tests.Queue;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using static MailRelay.Tests.Dnsbl.DnsblBindHarness;

namespace MailRelay.Tests.Events;

/// <summary>Blocklist listing changes seen by the monitor (against a real name server) become events in the outbox.</summary>
[Collection(BindTestGroup.Name)]
public sealed class BlocklistEventTests(BindFixture fixture) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_listing_and_the_delisting_after_it_are_blocklist_events_with_list_target_answer_and_reason()
    {
        using var relay = new DnsblBindHarness(fixture.Server);
        await using var outbox = new EventOutbox(_data.Path, new PosixDiskSync(), NullLogger.Instance);
        outbox.Open();
        var source = new BlocklistEventSource(relay.Monitor, outbox, NullLogger<BlocklistEventSource>.Instance);
        await source.StartAsync(CancellationToken.None);
        relay.List(IpName(relay.IpZone), "Listed for sending to traps", "127.0.0.2");

        await relay.Monitor.CheckAsync(CancellationToken.None);
        await outbox.WaitBeyondAsync(1, CancellationToken.None).WaitAsync(Patience);
        relay.Unlist(IpName(relay.IpZone));
        relay.Time.Advance(TimeSpan.FromHours(1));
        await relay.Monitor.CheckAsync(CancellationToken.None);
        await outbox.WaitBeyondAsync(2, CancellationToken.None).WaitAsync(Patience);
        await source.StopAsync(CancellationToken.None);

        var events = outbox.Read(1, 10).Select(r => RelayEventJson.Parse(r.Json.Span)!.Value.Event).ToList();
        Assert.Equal(["blocklist_listed", "blocklist_delisted"], events.Select(e => e.Type));
        var listed = events[0];
        Assert.Equal(relay.IpZone, listed.Details!["list"]);
        Assert.Equal(Address, listed.Details["target"]);
        Assert.Equal("127.0.0.2", listed.Details["answer"]);
        Assert.Equal("Listed for sending to traps", listed.Details["reason"]);
        Assert.Null(listed.QueueId);
        Assert.Equal(Address, events[1].Details!["target"]);
        Assert.False(events[1].Details!.ContainsKey("reason"));
        Assert.NotEqual(listed.Id, events[1].Id);
        Assert.Equal(relay.Time.GetUtcNow(), events[1].Time);
    }
}

using MailRelay.Events;
using MailRelay.Suppression;
using MailRelay.Tests.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.Suppression;

public sealed class SuppressionStoreTests : IDisposable
{
    private static readonly TimeSpan Duration = TimeSpan.FromDays(30);
    private readonly TemporaryDirectory _data = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 7, 0, 0, TimeSpan.Zero));

    public void Dispose() => _data.Dispose();

    [Fact]
    public void A_suppressed_address_is_found_whatever_its_case_until_it_expires()
    {
        var store = Store();
        store.Add("Gone@One.test", SuppressionReason.HardBounce, Duration);

        Assert.Equal(SuppressionReason.HardBounce, store.Find("gone@one.TEST")?.Reason);
        _time.Advance(Duration - TimeSpan.FromSeconds(1));
        Assert.NotNull(store.Find("gone@one.test"));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(store.Find("gone@one.test"));
        Assert.Empty(store.List());
    }

    [Fact]
    public void Entries_survive_a_new_store_over_the_same_directory()
    {
        Store().Add("gone@one.test", SuppressionReason.Complaint, Duration);

        var entry = Assert.Single(Store().List());

        Assert.Equal("gone@one.test", entry.Address);
        Assert.Equal(SuppressionReason.Complaint, entry.Reason);
        Assert.Equal(_time.GetUtcNow() + Duration, entry.Until);
    }

    [Fact]
    public void Remove_takes_an_address_off_and_says_whether_it_was_on()
    {
        var store = Store();
        store.Add("gone@one.test", SuppressionReason.HardBounce, Duration);

        Assert.True(store.Remove("GONE@one.test"));
        Assert.Null(store.Find("gone@one.test"));
        Assert.False(store.Remove("gone@one.test"));
    }

    [Fact]
    public void Pruning_deletes_only_the_expired_entries()
    {
        var store = Store();
        store.Add("old@one.test", SuppressionReason.HardBounce, TimeSpan.FromDays(1));
        store.Add("new@one.test", SuppressionReason.HardBounce, Duration);
        _time.Advance(TimeSpan.FromDays(2));

        Assert.Equal(1, store.Prune());

        Assert.Equal(["new@one.test"], store.List().Select(e => e.Address));
        Assert.Single(Directory.GetFiles(Path.Combine(_data.Path, SuppressionStore.DirectoryName)));
    }

    [Fact]
    public void A_new_hard_bounce_extends_an_entry_and_never_shortens_it()
    {
        var store = Store();
        store.Add("gone@one.test", SuppressionReason.HardBounce, Duration);
        var first = store.Find("gone@one.test")!.Until;
        _time.Advance(TimeSpan.FromDays(1));

        store.Add("gone@one.test", SuppressionReason.HardBounce, TimeSpan.FromDays(1));
        Assert.Equal(first, store.Find("gone@one.test")!.Until);

        store.Add("gone@one.test", SuppressionReason.Complaint, Duration);
        Assert.Equal(_time.GetUtcNow() + Duration, store.Find("gone@one.test")!.Until);
    }

    [Theory]
    [InlineData(RelayEventTypes.Bounced, "5.1.1", SuppressionReason.HardBounce)]
    [InlineData(RelayEventTypes.Complained, null, SuppressionReason.Complaint)]
    [InlineData(RelayEventTypes.Bounced, "4.4.7", null)]
    [InlineData(RelayEventTypes.Deferred, "5.1.1", null)]
    [InlineData(RelayEventTypes.Delivered, "2.0.0", null)]
    [InlineData(RelayEventTypes.Expired, "4.4.7", null)]
    public void Only_hard_bounces_and_complaints_suppress(string type, string? status, SuppressionReason? expected)
    {
        Assert.Equal(expected, SuppressionRecorder.ReasonOf(Event(type, status, "gone@one.test")));
    }

    [Fact]
    public async Task Events_told_to_the_listener_are_on_disk_once_the_recorder_has_stopped()
    {
        var store = Store();
        var recorder = new SuppressionRecorder(store, Metrics(store), Duration, _time, NullLogger<SuppressionRecorder>.Instance);
        await recorder.StartAsync(CancellationToken.None);

        ((IRelayEventListener)recorder).OnEvents(
        [
            Event(RelayEventTypes.Bounced, "5.1.1", "gone@one.test"),
            Event(RelayEventTypes.Bounced, "4.2.2", "full@one.test"),
            Event(RelayEventTypes.Complained, null, "angry@two.test"),
            Event(RelayEventTypes.Delivered, "2.0.0", "fine@two.test"),
        ]);
        await recorder.StopAsync(CancellationToken.None);

        Assert.Equal(["angry@two.test", "gone@one.test"], Store().List().Select(e => e.Address));
    }

    [Fact]
    public void The_RCPT_refusal_names_the_address_and_the_reason()
    {
        var store = Store();
        store.Add("gone@one.test", SuppressionReason.HardBounce, Duration);
        store.Add("angry@two.test", SuppressionReason.Complaint, Duration);
        var policy = new SuppressionPolicy(store, Metrics(store));

        var bounce = policy.Check("gone@one.test");
        var complaint = policy.Check("angry@two.test");

        Assert.Equal("550 5.1.1 <gone@one.test>: Recipient address rejected: suppressed after a hard bounce", $"{bounce!.Code} {bounce.EnhancedCode} {bounce.Lines[0]}");
        Assert.Equal("550 5.1.1 <angry@two.test>: Recipient address rejected: suppressed after a complaint", $"{complaint!.Code} {complaint.EnhancedCode} {complaint.Lines[0]}");
        Assert.Null(policy.Check("fine@two.test"));
    }

    private SuppressionStore Store() => new(_data.Path, _time);

    private static SuppressionMetrics Metrics(SuppressionStore store) => new(Prometheus.Metrics.NewCustomRegistry(), store);

    private RelayEvent Event(string type, string? status, string recipient) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Type = type,
        Time = _time.GetUtcNow(),
        QueueId = "01JEZ3K8Q4M7NP00",
        Recipient = recipient,
        DsnStatus = status,
    };
}

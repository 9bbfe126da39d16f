using MailRelay.Tests.Delivery.Scheduling;

namespace MailRelay.Tests.Queue;

/// <summary>
/// An outcome whose state-log fsync fails (EIO) is not durable, but it is not lost either: the scheduler keeps it,
/// acts on it once (one DSN for the failed recipient, no second delivery of the delivered one) and removes the
/// message only when everything is final, so its record is either written later or no longer needed.
/// </summary>
public sealed class StateLogSyncFaultTests
{
    [Fact]
    public async Task An_outcome_whose_fsync_fails_is_recorded_again_and_reported_once()
    {
        var disk = new FaultInjectingDiskSync();
        await using var harness = new SchedulerHarness(diskSync: disk);
        harness.Transport.Respond = (_, r) => r.StartsWith("bad", StringComparison.Ordinal) ? FakeTransport.Failed(r) : FakeTransport.Delivered(r);
        disk.Fail(DiskOperation.SyncFile, ".state", count: 1);
        await harness.StartAsync();

        // One transaction: a delivery and a failure, so the outcomes must be appended before the DSN.
        var id = await harness.SubmitAsync("app@example.com", "good@example.net", "bad@example.net");
        var dsnId = await harness.Events.RemovedMatchingAsync(removed => removed != id);
        await harness.Events.RemovedAsync(id);

        Assert.Equal(1, disk.Failures);
        var syncs = disk.FileSyncs.Where(s => s.Path.EndsWith(id + ".state", StringComparison.Ordinal)).ToList();
        Assert.False(syncs[0].Succeeded);
        Assert.DoesNotContain(harness.Data.ActiveFiles(), f => f.Contains(id, StringComparison.Ordinal));
        Assert.Single(harness.Transport.Requests, r => r.Request.Message.QueueId == id);
        var dsn = Assert.Single(harness.Transport.Requests, r => r.Request.Message.QueueId == dsnId);
        Assert.Equal(["app@example.com"], dsn.Request.Recipients);
        var metrics = await harness.MetricsTextAsync();
        Assert.Contains("mailrelay_delivery_attempts_total{outcome=\"bounced\",provider=\"other\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("mailrelay_dsn_generated_total{action=\"failed\"} 1", metrics, StringComparison.Ordinal);

        // The delivered recipient and the DSN: each reported sent once.
        Assert.Contains("mailrelay_delivery_attempts_total{outcome=\"sent\",provider=\"other\"} 2", metrics, StringComparison.Ordinal);
    }
}

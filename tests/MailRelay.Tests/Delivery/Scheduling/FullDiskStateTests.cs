using MailRelay.Queue;
using MailRelay.Tests.Integration;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>
/// Delivery state that cannot be recorded because the disk is full (a real ENOSPC: the data directory is a
/// 1 MiB tmpfs, which needs root, as CI runs) is neither lost nor misapplied: the delivered recipient is not
/// attempted again while the process runs, the record is written once space returns, and the message is
/// removed only once that is possible. A restart before then attempts the recipient again (at least once).
/// </summary>
public sealed class FullDiskStateTests : IAsyncDisposable
{
    private const string Delivered = "a@example.net";
    private const string Deferred = "b@example.org";
    private TmpfsMount? _tmpfs;
    private readonly SchedulerHarness _harness;

    public FullDiskStateTests()
    {
        _harness = new SchedulerHarness(prepareDataDirectory: path => _tmpfs = new TmpfsMount(path, "1m"));
        _harness.Transport.Respond = (_, r) => r == Delivered ? FakeTransport.Delivered(r) : FakeTransport.Deferred(r);
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        _tmpfs?.Dispose();
    }

    [Fact]
    public async Task A_record_the_full_disk_refused_is_kept_written_once_space_returns_and_the_delivered_recipient_is_not_sent_again()
    {
        var id = await _harness.SubmitAsync("app@example.com", Delivered, Deferred);
        using (DiskFiller.Leaving(_harness.DataDirectory, 0))
        {
            await _harness.StartAsync();
            await _harness.Events.NextAttemptAsync();
            await _harness.Events.NextAttemptAsync();

            Assert.Equal(RecipientStatus.Pending, _harness.StateOf(id).For(Delivered).Status);
            Assert.Contains(_harness.Logger.Messages, m => m.Contains("recording delivery state failed", StringComparison.Ordinal));

            // The deferred recipient falls due; the delivered one is not attempted again, though its record is not on disk.
            _harness.Time.Advance(TimeSpan.FromMinutes(1));
            await _harness.Events.NextAttemptAsync();
            Assert.Single(_harness.Transport.For(Delivered));
            Assert.Equal(2, _harness.Transport.For(Deferred).Count);
            Assert.Equal(RecipientStatus.Pending, _harness.StateOf(id).For(Delivered).Status);
        }

        _harness.Time.Advance(TimeSpan.FromSeconds(1));
        await _harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);

        var recorded = _harness.StateOf(id);
        Assert.Equal(RecipientStatus.Delivered, recorded.For(Delivered).Status);
        Assert.Equal(RecipientStatus.Deferred, recorded.For(Deferred).Status);
        Assert.Equal(2, recorded.For(Deferred).Attempts);
        Assert.True(_harness.Exists(id));
    }

    [Fact]
    public async Task A_restart_before_the_record_is_written_attempts_the_delivered_recipient_again()
    {
        var id = await _harness.SubmitAsync("app@example.com", Delivered, Deferred);
        using (DiskFiller.Leaving(_harness.DataDirectory, 0))
        {
            await _harness.StartAsync();
            await _harness.Events.NextAttemptAsync();
            await _harness.Events.NextAttemptAsync();
            await _harness.StopAsync();
        }

        _harness.Transport.Respond = (_, r) => FakeTransport.Delivered(r);
        await _harness.RestartAsync();
        await _harness.Events.RemovedAsync(id);

        Assert.Equal(2, _harness.Transport.For(Delivered).Count);
    }

    [Fact]
    public async Task A_finished_message_whose_removal_and_record_both_fail_is_removed_once_possible_and_not_sent_again()
    {
        _harness.Transport.Respond = (_, r) => FakeTransport.Delivered(r);
        var id = await _harness.SubmitAsync("app@example.com", Delivered);
        var message = Path.Combine(_harness.DataDirectory, "queue", "active", id + ".msg");
        // Once the transport has read it, the queue file is replaced by a directory, which cannot be removed as a file.
        _harness.Transport.BeforeReply = (_, _) =>
        {
            File.Move(message, message + ".moved");
            Directory.CreateDirectory(Path.Combine(message, "pinned"));
            return Task.CompletedTask;
        };
        using (DiskFiller.Leaving(_harness.DataDirectory, 0))
        {
            await _harness.StartAsync();
            await _harness.Events.NextAttemptAsync();
            _harness.Time.Advance(TimeSpan.FromMinutes(5));
            await _harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);
            Assert.Single(_harness.Transport.For(Delivered));
        }

        Directory.Delete(message, recursive: true);
        _harness.Time.Advance(TimeSpan.FromSeconds(1));
        await _harness.Events.RemovedAsync(id);

        Assert.Single(_harness.Transport.For(Delivered));
    }
}

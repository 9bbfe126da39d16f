using MailRelay.Queue;
using MailRelay.Tests.Queue;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>Operator commands through the CLI entry points, with the daemon running and without it.</summary>
public sealed class QueueControlTests : IAsyncLifetime, IAsyncDisposable
{
    private readonly SchedulerHarness _harness = new();
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => ((IAsyncDisposable)this).DisposeAsync().AsTask();

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _stdout.DisposeAsync();
        await _stderr.DisposeAsync();
    }

    [Fact]
    public async Task Hold_and_release_while_running_go_through_the_daemon()
    {
        _harness.Transport.Respond = (_, r) => FakeTransport.Deferred(r);
        await _harness.StartAsync();
        var id = await _harness.SubmitAsync("app@example.com", "user@example.net");
        await _harness.Events.NextAttemptAsync();

        Assert.Equal(0, Change(ControlCommand.Hold, id));
        Assert.Contains("requested from the running daemon", _stdout.ToString(), StringComparison.Ordinal);
        _harness.Scheduler.Wake();
        Assert.Equal(new ControlRequest(ControlCommand.Hold, id), await _harness.Events.NextControlAsync());
        Assert.True(_harness.StateOf(id).Held);

        _harness.Time.Advance(TimeSpan.FromMinutes(10));
        var dispatched = _harness.Scheduler.JobsDispatched;
        await _harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);
        Assert.Equal(dispatched, _harness.Scheduler.JobsDispatched);

        _harness.Transport.Respond = (_, r) => FakeTransport.Delivered(r);
        Assert.Equal(0, Change(ControlCommand.Release, id));
        _harness.Scheduler.Wake();
        await _harness.Events.NextControlAsync();
        await _harness.Events.RemovedAsync(id);
        Assert.Equal(2, _harness.Transport.Requests.Count);
    }

    [Fact]
    public async Task Delete_while_running_removes_the_message_without_a_DSN()
    {
        _harness.Transport.Respond = (_, r) => FakeTransport.Deferred(r);
        await _harness.StartAsync();
        var id = await _harness.SubmitAsync("app@example.com", "user@example.net");
        await _harness.Events.NextAttemptAsync();

        Assert.Equal(0, Change(ControlCommand.Delete, id));
        _harness.Scheduler.Wake();
        await _harness.Events.NextControlAsync();

        await _harness.Events.RemovedAsync(id);
        Assert.Empty(_harness.Data.ActiveFiles());
        Assert.Equal(1, _harness.Spool.Statistics.CommittedMessages);
    }

    [Fact]
    public async Task A_delete_whose_files_cannot_be_removed_leaves_the_message_queued_and_a_second_delete_removes_it()
    {
        var disk = new FaultInjectingDiskSync();
        var (harness, id) = await DeferredMessageAsync(disk);
        await using var running = harness;
        disk.Fail(DiskOperation.Delete, ".msg", count: 1);

        await DeleteAsync(harness, id);

        // Not removed: still the daemon's, counted as `queue list` shows it, and open to the next request.
        Assert.Equal(1, disk.Failures);
        Assert.True(harness.Exists(id));
        Assert.Equal(1, harness.Scheduler.MessageCount);
        Assert.Contains(harness.Logger.Messages, m => m.StartsWith("Queue request ignored", StringComparison.Ordinal) && m.Contains(id, StringComparison.Ordinal));

        await DeleteAsync(harness, id);
        await harness.Events.RemovedAsync(id);
        Assert.False(harness.Exists(id));
        Assert.Equal(0, harness.Scheduler.MessageCount);
    }

    private static async Task<(SchedulerHarness Harness, string QueueId)> DeferredMessageAsync(FaultInjectingDiskSync disk)
    {
        var harness = new SchedulerHarness(diskSync: disk);
        harness.Transport.Respond = (_, r) => FakeTransport.Deferred(r);
        await harness.StartAsync();
        var id = await harness.SubmitAsync("app@example.com", "user@example.net");
        await harness.Events.NextAttemptAsync();
        return (harness, id);
    }

    private async Task DeleteAsync(SchedulerHarness harness, string id)
    {
        Assert.Equal(0, QueueCommands.RunChange(harness.DataDirectory, ControlCommand.Delete, id, harness.Time, _stdout, _stderr));
        harness.Scheduler.Wake();
        await harness.Events.NextControlAsync();
    }

    [Fact]
    public async Task Flush_while_running_attempts_deferred_mail_before_its_time()
    {
        var attempts = 0;
        _harness.Transport.Respond = (_, r) => Interlocked.Increment(ref attempts) == 1 ? FakeTransport.Deferred(r) : FakeTransport.Delivered(r);
        await _harness.StartAsync();
        var id = await _harness.SubmitAsync("app@example.com", "user@example.net");
        await _harness.Events.NextAttemptAsync();

        Assert.Equal(0, QueueCommands.RunFlush(_harness.DataDirectory, null, _harness.Time, _stdout, _stderr));
        _harness.Scheduler.Wake();

        await _harness.Events.RemovedAsync(id);
        Assert.Equal(2, _harness.Transport.Requests.Count);
    }

    [Fact]
    public async Task Hold_and_delete_without_a_daemon_change_the_files_directly()
    {
        var held = await _harness.SubmitAsync("app@example.com", "held@example.net");
        var deleted = await _harness.SubmitAsync("app@example.com", "deleted@example.net");

        Assert.Equal(0, Change(ControlCommand.Hold, held));
        Assert.Equal(0, Change(ControlCommand.Delete, deleted));

        Assert.Equal($"{held}: placed on hold{Environment.NewLine}{deleted}: deleted{Environment.NewLine}", _stdout.ToString());
        Assert.True(_harness.StateOf(held).Held);
        Assert.False(_harness.Exists(deleted));
        Assert.False(Directory.Exists(Path.Combine(_harness.DataDirectory, "queue", "control")));

        await _harness.StartAsync();
        await _harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);
        Assert.Equal(0, _harness.Scheduler.JobsDispatched);
        Assert.True(_harness.Exists(held));
    }

    [Fact]
    public async Task A_flush_requested_without_a_daemon_is_applied_when_it_starts()
    {
        _harness.Transport.Respond = (_, r) => FakeTransport.Deferred(r);
        await _harness.StartAsync();
        var id = await _harness.SubmitAsync("app@example.com", "user@example.net");
        await _harness.Events.NextAttemptAsync();
        await _harness.StopAsync();

        Assert.Equal(0, QueueCommands.RunFlush(_harness.DataDirectory, id, _harness.Time, _stdout, _stderr));
        Assert.Contains("not running", _stdout.ToString(), StringComparison.Ordinal);

        _harness.Transport.Respond = (_, r) => FakeTransport.Delivered(r);
        await _harness.RestartAsync();
        await _harness.Events.RemovedAsync(id);
        Assert.Equal(2, _harness.Transport.Requests.Count);
    }

    [Fact]
    public void Commands_refuse_unknown_and_malformed_ids()
    {
        Assert.Equal(QueueCommands.Usage, Change(ControlCommand.Hold, "../../etc/passwd"));
        Assert.Equal(QueueCommands.Failure, Change(ControlCommand.Delete, "01KJ3V7Q2M9XG4TB"));
        Assert.Contains("01KJ3V7Q2M9XG4TB: no such message", _stderr.ToString(), StringComparison.Ordinal);
    }

    private int Change(ControlCommand command, string queueId) =>
        QueueCommands.RunChange(_harness.DataDirectory, command, queueId, _harness.Time, _stdout, _stderr);
}

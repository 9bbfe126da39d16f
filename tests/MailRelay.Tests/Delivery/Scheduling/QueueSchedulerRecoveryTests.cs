using MailRelay.Queue;
using MailRelay.Tests.Queue;

namespace MailRelay.Tests.Delivery.Scheduling;

public sealed class QueueSchedulerRecoveryTests : IAsyncLifetime, IAsyncDisposable
{
    private readonly SchedulerHarness _harness = new();

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => _harness.DisposeAsync().AsTask();

    ValueTask IAsyncDisposable.DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task Messages_queued_before_start_are_recovered_and_delivered()
    {
        var id = await _harness.SubmitAsync("app@example.com", "user@example.net");

        await _harness.StartAsync();
        await _harness.Events.RemovedAsync(id);

        Assert.Single(_harness.Transport.For("user@example.net"));
    }

    [Fact]
    public async Task A_recipient_recorded_delivered_or_failed_is_never_sent_again()
    {
        var id = await _harness.SubmitAsync("app@example.com", "done@example.net", "bounced@example.net", "left@example.net");
        AppendState(id,
            new RecipientState("done@example.net", RecipientStatus.Delivered) { Attempts = 1 },
            new RecipientState("bounced@example.net", RecipientStatus.Failed) { Attempts = 1, Notified = true });

        await _harness.StartAsync();
        await _harness.Events.RemovedAsync(id);

        var request = Assert.Single(_harness.Transport.Requests);
        Assert.Equal(["left@example.net"], request.Request.Recipients);
    }

    [Fact]
    public async Task A_deferral_survives_a_restart_and_keeps_its_due_time()
    {
        _harness.Transport.Respond = (_, r) => FakeTransport.Deferred(r);
        await _harness.StartAsync();
        var id = await _harness.SubmitAsync("app@example.com", "user@example.net");
        await _harness.Events.NextAttemptAsync();

        _harness.Transport.Respond = (_, r) => FakeTransport.Delivered(r);
        await _harness.RestartAsync();
        Assert.Single(_harness.Transport.Requests);
        Assert.True(_harness.Exists(id));

        _harness.Time.Advance(TimeSpan.FromMinutes(1));
        await _harness.Events.RemovedAsync(id);
        Assert.Equal(2, _harness.Transport.Requests.Count);
    }

    [Fact]
    public async Task A_failure_whose_DSN_was_not_yet_queued_gets_it_at_start()
    {
        var id = await _harness.SubmitAsync("app@example.com", "bad@example.net");
        AppendState(id, new RecipientState("bad@example.net", RecipientStatus.Failed)
        {
            Attempts = 1,
            LastReply = "550 5.1.1 no such user",
            StatusCode = "5.1.1",
        });

        await _harness.StartAsync();
        var dsnId = await _harness.Events.RemovedMatchingAsync(removed => removed != id);
        await _harness.Events.RemovedAsync(id);

        Assert.Empty(_harness.Transport.For("bad@example.net"));
        var dsn = Assert.Single(_harness.Transport.Requests);
        Assert.Equal(dsnId, dsn.Request.Message.QueueId);
        Assert.Equal(["app@example.com"], dsn.Request.Recipients);
    }

    [Fact]
    public async Task A_state_log_without_its_message_is_removed_at_start()
    {
        Directory.CreateDirectory(_harness.Data.Active);
        var orphan = Path.Combine(_harness.Data.Active, "01KJ3V7Q2M9XG4TB.state");
        await File.WriteAllTextAsync(orphan, string.Empty);

        await _harness.StartAsync();

        Assert.False(File.Exists(orphan));
    }

    [Fact]
    public async Task Shutdown_mid_delivery_leaves_the_recipients_pending_and_they_are_sent_after_restart()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _harness.Transport.BeforeReply = async (_, token) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, token);
        };
        await _harness.StartAsync();
        var id = await _harness.SubmitAsync("app@example.com", "user@example.net");
        await entered.Task.WaitAsync(SchedulerEvents.Timeout);

        await _harness.StopAsync();

        var (queueId, results) = await _harness.Events.NextAttemptAsync();
        Assert.Equal(id, queueId);
        Assert.Null(results);
        Assert.Equal(RecipientStatus.Pending, _harness.StateOf(id).For("user@example.net").Status);
        Assert.False(File.Exists(Path.Combine(_harness.Data.Active, id + ".state")));

        _harness.Transport.BeforeReply = null;
        await _harness.RestartAsync();
        await _harness.Events.RemovedAsync(id);
        Assert.Equal(2, _harness.Transport.For("user@example.net").Count);
    }

    [Fact]
    public async Task A_result_that_arrives_during_shutdown_is_recorded_once()
    {
        var bothEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = 0;
        _harness.Transport.BeforeReply = async (_, token) =>
        {
            if (Interlocked.Increment(ref entered) == 2)
            {
                bothEntered.TrySetResult();
            }

            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (token.Register(() => stopped.TrySetResult()))
            {
                // The remote already said 250: the transport reports it although asked to stop.
                await stopped.Task;
            }
        };
        await _harness.StartAsync();
        var id = await _harness.SubmitAsync("app@example.com", "user@example.net", "other@example.org");
        await bothEntered.Task.WaitAsync(SchedulerEvents.Timeout);

        await _harness.StopAsync();

        Assert.False(_harness.Exists(id));
        _harness.Transport.BeforeReply = null;
        await _harness.RestartAsync();
        Assert.Equal(2, _harness.Transport.Requests.Count);
        Assert.Empty(_harness.Data.ActiveFiles());
    }

    private void AppendState(string queueId, params RecipientState[] states) =>
        MessageStateLog.Append(
            Path.Combine(_harness.Data.Active, queueId + ".state"),
            [.. states.Select(s => StateRecord.ForRecipient(s, SpoolFixtures.Start))],
            new PosixDiskSync());
}

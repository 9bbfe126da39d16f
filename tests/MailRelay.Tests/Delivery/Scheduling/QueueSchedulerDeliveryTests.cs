using MailRelay.Delivery;
using MailRelay.Queue;
using MailRelay.Tests.Queue;
using MimeKit;

namespace MailRelay.Tests.Delivery.Scheduling;

public sealed class QueueSchedulerDeliveryTests : IAsyncLifetime, IAsyncDisposable
{
    private readonly SchedulerHarness _harness = new();

    public Task InitializeAsync() => _harness.StartAsync();

    Task IAsyncLifetime.DisposeAsync() => _harness.DisposeAsync().AsTask();

    ValueTask IAsyncDisposable.DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task New_mail_is_delivered_once_per_domain_and_its_files_removed()
    {
        var id = await _harness.SubmitAsync("app@example.com", "a@example.net", "b@EXAMPLE.net", "c@example.org");

        await _harness.Events.RemovedAsync(id);

        var requests = _harness.Transport.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal(["a@example.net", "b@EXAMPLE.net"], requests.Single(r => r.Request.Domain == "example.net").Request.Recipients);
        Assert.Equal(["c@example.org"], requests.Single(r => r.Request.Domain == "example.org").Request.Recipients);
        Assert.Empty(_harness.Data.ActiveFiles());
        Assert.Equal(0, _harness.Scheduler.MessageCount);
    }

    [Fact]
    public async Task A_451_is_retried_exactly_on_schedule_and_delivered_once()
    {
        var attempts = 0;
        _harness.Transport.Respond = (_, r) => Interlocked.Increment(ref attempts) == 1 ? FakeTransport.Deferred(r) : FakeTransport.Delivered(r);
        var id = await _harness.SubmitAsync("app@example.com", "user@example.net");
        await _harness.Events.NextAttemptAsync();

        var deferred = _harness.StateOf(id).For("user@example.net");
        Assert.Equal(RecipientStatus.Deferred, deferred.Status);
        Assert.Equal(SpoolFixtures.Start + TimeSpan.FromMinutes(1), deferred.NextAttempt);
        Assert.Equal("451 4.7.1 try again later", deferred.LastReply);

        _harness.Time.Advance(TimeSpan.FromMinutes(1) - TimeSpan.FromMilliseconds(1));
        var dispatched = _harness.Scheduler.JobsDispatched;
        await _harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);
        Assert.Equal(dispatched, _harness.Scheduler.JobsDispatched);
        Assert.Single(_harness.Transport.Requests);

        _harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        await _harness.Events.RemovedAsync(id);

        Assert.Equal(2, _harness.Transport.For("user@example.net").Count);
        Assert.False(_harness.Exists(id));
    }

    [Fact]
    public async Task A_second_deferral_waits_the_next_schedule_entry()
    {
        _harness.Transport.Respond = (_, r) => FakeTransport.Deferred(r);
        var id = await _harness.SubmitAsync("app@example.com", "user@example.net");
        await _harness.Events.NextAttemptAsync();
        _harness.Time.Advance(TimeSpan.FromMinutes(1));
        await _harness.Events.NextAttemptAsync();

        var state = _harness.StateOf(id).For("user@example.net");
        Assert.Equal(2, state.Attempts);
        Assert.Equal(SpoolFixtures.Start + TimeSpan.FromMinutes(6), state.NextAttempt);
    }

    [Fact]
    public async Task A_5xx_for_one_recipient_sends_exactly_one_DSN_and_the_others_are_delivered_once()
    {
        _harness.Transport.Respond = (_, r) => r.StartsWith("bad", StringComparison.Ordinal) ? FakeTransport.Failed(r) : FakeTransport.Delivered(r);
        var id = await _harness.SubmitAsync("app@example.com", "good@example.net", "bad1@example.net", "bad2@example.net", "good@example.org");

        await _harness.Events.RemovedAsync(id);
        var dsnRequest = await DsnRequestAsync();

        Assert.Single(_harness.Transport.For("good@example.net"));
        Assert.Single(_harness.Transport.For("good@example.org"));
        Assert.Equal(string.Empty, dsnRequest.Request.Message.Envelope.Sender);
        Assert.Equal(["app@example.com"], dsnRequest.Request.Recipients);
        var dsn = MimeMessage.Load(new MemoryStream(dsnRequest.Content));
        var report = Assert.IsType<MultipartReport>(dsn.Body);
        var status = Assert.IsType<MessageDeliveryStatus>(report[1]);
        var recipientGroups = status.StatusGroups.Skip(1).Where(g => g.Count > 0).ToList();
        Assert.Equal(["rfc822; bad1@example.net", "rfc822; bad2@example.net"], recipientGroups.Select(g => g["Final-Recipient"]));
        Assert.All(recipientGroups, g => Assert.Equal("smtp; 550 5.1.1 no such user", g["Diagnostic-Code"]));
        Assert.All(recipientGroups, g => Assert.Equal("5.1.1", g["Status"]));
        Assert.Single(_harness.Transport.Requests, r => r.Request.Message.Envelope.Sender.Length == 0);
    }

    [Fact]
    public async Task A_DSN_reports_only_recipients_whose_NOTIFY_asks_for_failures_and_names_their_ORCPT()
    {
        _harness.Transport.Respond = (_, r) => FakeTransport.Failed(r);
        var id = await _harness.SubmitAsync(new SpoolEnvelope
        {
            Sender = "app@example.com",
            Recipients = ["never@example.net", "success-only@example.net", "asked@example.net", "default@example.net"],
            RecipientDsn = new Dictionary<string, RecipientDsnOptions>
            {
                ["never@example.net"] = new(DsnNotify.Never, null),
                ["success-only@example.net"] = new(DsnNotify.Success, null),
                ["asked@example.net"] = new(DsnNotify.Failure | DsnNotify.Delay, "rfc822;list+2Bmember@example.org"),
            },
        });

        await _harness.Events.RemovedAsync(id);
        var dsnRequest = await DsnRequestAsync();

        var report = Assert.IsType<MultipartReport>(MimeMessage.Load(new MemoryStream(dsnRequest.Content)).Body);
        var groups = Assert.IsType<MessageDeliveryStatus>(report[1]).StatusGroups.Skip(1).Where(g => g.Count > 0).ToList();
        Assert.Equal(["rfc822; asked@example.net", "rfc822; default@example.net"], groups.Select(g => g["Final-Recipient"]));
        Assert.Equal("rfc822; list+member@example.org", groups[0]["Original-Recipient"]);
        Assert.Null(groups[1]["Original-Recipient"]);
    }

    [Fact]
    public async Task NOTIFY_NEVER_on_every_failed_recipient_means_no_DSN_at_all()
    {
        _harness.Transport.Respond = (_, r) => FakeTransport.Failed(r);
        var id = await _harness.SubmitAsync(new SpoolEnvelope
        {
            Sender = "app@example.com",
            Recipients = ["quiet@example.net"],
            RecipientDsn = new Dictionary<string, RecipientDsnOptions> { ["quiet@example.net"] = new(DsnNotify.Never, null) },
        });

        await _harness.Events.RemovedAsync(id);
        await _harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);

        Assert.Single(_harness.Transport.Requests);
        Assert.Empty(_harness.Data.ActiveFiles());
    }

    [Fact]
    public async Task A_null_sender_never_gets_a_DSN()
    {
        _harness.Transport.Respond = (_, r) => FakeTransport.Failed(r);
        var id = await _harness.SubmitAsync(string.Empty, "bad@example.net");

        await _harness.Events.RemovedAsync(id);
        await _harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);

        Assert.Single(_harness.Transport.Requests);
        Assert.Equal(1, _harness.Spool.Statistics.CommittedMessages);
        Assert.Empty(_harness.Data.ActiveFiles());
    }

    [Fact]
    public async Task Concurrent_deliveries_never_exceed_the_bound()
    {
        await using var bounded = new SchedulerHarness(o => o with { MaxConcurrency = 3 });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        var threeStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bounded.Transport.BeforeReply = async (_, _) =>
        {
            if (Interlocked.Increment(ref started) == 3)
            {
                threeStarted.TrySetResult();
            }

            await release.Task;
        };
        await bounded.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await bounded.SubmitAsync("app@example.com", $"user{i}@domain{i}.example"));
        }

        await threeStarted.Task.WaitAsync(SchedulerEvents.Timeout);
        await bounded.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);
        Assert.Equal(3, Volatile.Read(ref started));
        release.SetResult();
        await bounded.Events.RemovedAsync([.. ids]);

        Assert.Equal(3, bounded.Transport.MaxConcurrent);
        Assert.Equal(10, bounded.Transport.Requests.Count);
    }

    [Fact]
    public async Task A_transport_that_throws_instead_of_answering_defers_the_recipients()
    {
        _harness.Transport.BeforeReply = (_, _) => throw new InvalidOperationException("broken transport");
        var id = await _harness.SubmitAsync("app@example.com", "user@example.net");

        var (queueId, results) = await _harness.Events.NextAttemptAsync();

        Assert.Equal(id, queueId);
        Assert.Equal(RecipientOutcome.Deferred, Assert.Single(results!).Outcome);
        var state = _harness.StateOf(id).For("user@example.net");
        Assert.Equal(RecipientStatus.Deferred, state.Status);
        Assert.Equal(SpoolFixtures.Start.AddMinutes(1), state.NextAttempt);
    }

    private async Task<RecordedRequest> DsnRequestAsync()
    {
        var dsnId = await _harness.Events.RemovedMatchingAsync(
            id => _harness.Transport.Requests.Any(r => r.Request.Message.QueueId == id && r.Request.Message.Envelope.Sender.Length == 0));
        return _harness.Transport.Requests.First(r => r.Request.Message.QueueId == dsnId);
    }
}

using System.Globalization;
using MailRelay.Delivery.Scheduling;
using MailRelay.Queue;
using MailRelay.Tests.Configuration;
using MailRelay.Tests.Queue;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>
/// QUEUE_ACTIVE_LIMIT: with a window far smaller than the queue, only the window's messages have their full record in
/// memory, yet every message is delivered once, in due order, none before its time, and the operator's commands and
/// the gauges see the messages out of the window as well as those in it.
/// </summary>
public sealed class ActiveWindowTests : IAsyncDisposable
{
    private const int Limit = 3;

    private readonly SchedulerHarness _harness = new(o => o with { ActiveLimit = Limit, MaxConcurrency = 1 });
    private int _largestWindow;

    public ActiveWindowTests()
    {
        // A message is in the window while it is attempted: the window's size at each attempt is its high mark.
        _harness.Transport.BeforeReply = (_, _) =>
        {
            NoteWindow();
            return Task.CompletedTask;
        };
    }

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public void QUEUE_ACTIVE_LIMIT_sets_the_window_of_the_scheduler_and_defaults_to_Postfixs_20000()
    {
        Assert.Equal(5, QueueSchedulerOptions.FromConfiguration(TestEnvironment.LoadValid(("QUEUE_ACTIVE_LIMIT", "5"))).ActiveLimit);
        Assert.Equal(20000, QueueSchedulerOptions.FromConfiguration(TestEnvironment.LoadValid()).ActiveLimit);
    }

    [Fact]
    public async Task Mail_beyond_the_window_waits_on_disk_and_is_delivered_once_in_arrival_order()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _harness.Transport.BeforeReply = (_, token) =>
        {
            NoteWindow();
            return gate.Task.WaitAsync(token);
        };
        await _harness.StartAsync();

        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add(await _harness.SubmitAsync("app@example.com", Recipient(i)));
            _harness.Time.Advance(TimeSpan.FromSeconds(1));
        }

        await _harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);
        Assert.Equal(12, _harness.Scheduler.MessageCount);
        Assert.Equal(Limit, _harness.Scheduler.WindowCount);

        gate.SetResult();
        await _harness.Events.RemovedAsync([.. ids]);

        Assert.Equal(Enumerable.Range(0, 12).Select(Recipient), _harness.Transport.Requests.Select(r => Assert.Single(r.Request.Recipients)));
        Assert.InRange(_largestWindow, 1, Limit);
        Assert.Equal(0, _harness.Scheduler.WindowCount);
    }

    [Fact]
    public async Task After_a_restart_every_message_is_scheduled_and_none_is_attempted_before_its_due_time()
    {
        // Ten messages deferred before the start, due in the reverse order of their arrival: the last one first.
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await _harness.SubmitAsync("app@example.com", Recipient(i)));
            _harness.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var start = _harness.Time.GetUtcNow();
        for (var i = 0; i < 10; i++)
        {
            AppendState(ids[i], new RecipientState(Recipient(i), RecipientStatus.Deferred)
            {
                Attempts = 1,
                LastReply = "451 4.7.1 try again later",
                NextAttempt = DueOf(start, i),
            });
        }

        await _harness.StartAsync();
        Assert.Equal(10, _harness.Scheduler.MessageCount);
        Assert.Equal(0, _harness.Scheduler.WindowCount);
        await AssertGaugesAsync(messages: 10);

        _harness.Time.Advance(TimeSpan.FromSeconds(30));
        await _harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);
        Assert.Empty(_harness.Transport.Requests);

        for (var step = 1; step <= 10; step++)
        {
            _harness.Time.Advance(TimeSpan.FromMinutes(1));
            var (queueId, _) = await _harness.Events.NextAttemptAsync();
            Assert.Equal(ids[10 - step], queueId);
            Assert.Equal(step, _harness.Transport.Requests.Count);
        }

        foreach (var (request, index) in _harness.Transport.Requests.Select(r => (r, ids.IndexOf(r.Request.Message.QueueId))))
        {
            Assert.True(request.At >= DueOf(start, index), $"{request.Request.Message.QueueId} attempted at {request.At:O}, before it was due");
        }

        await _harness.Events.RemovedAsync([.. ids]);
        Assert.InRange(_largestWindow, 1, Limit);
    }

    [Fact]
    public async Task Hold_release_delete_flush_list_and_gauges_work_on_messages_out_of_the_window()
    {
        _harness.Transport.Respond = (_, r) => FakeTransport.Deferred(r);
        await _harness.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await _harness.SubmitAsync("app@example.com", Recipient(i)));
        }

        for (var i = 0; i < 6; i++)
        {
            await _harness.Events.NextAttemptAsync();
        }

        await _harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);
        Assert.Equal(0, _harness.Scheduler.WindowCount);
        await AssertGaugesAsync(messages: 6);

        await ControlAsync(ControlCommand.Hold, ids[0]);
        await ControlAsync(ControlCommand.Delete, ids[1]);
        await _harness.Events.RemovedAsync(ids[1]);
        Assert.True(_harness.StateOf(ids[0]).Held);
        Assert.False(_harness.Exists(ids[1]));
        var listing = List();
        Assert.Contains(ids[0] + "!", listing, StringComparison.Ordinal);
        Assert.DoesNotContain(ids[1], listing, StringComparison.Ordinal);
        await AssertGaugesAsync(messages: 5);

        // A flush brings one message back before its time; the others wait for theirs.
        _harness.Transport.Respond = (_, r) => FakeTransport.Delivered(r);
        _harness.Scheduler.Flush(ids[2]);
        await _harness.Events.RemovedAsync(ids[2]);
        Assert.Equal(7, _harness.Transport.Requests.Count);

        _harness.Time.Advance(TimeSpan.FromMinutes(2));
        await _harness.Events.RemovedAsync(ids[3], ids[4], ids[5]);
        Assert.Single(_harness.Transport.For(Recipient(0)));
        Assert.True(_harness.Exists(ids[0]));
        await AssertGaugesAsync(messages: 1);

        await ControlAsync(ControlCommand.Release, ids[0]);
        await _harness.Events.RemovedAsync(ids[0]);
        Assert.Equal(2, _harness.Transport.For(Recipient(0)).Count);
        Assert.Single(_harness.Transport.For(Recipient(1)));
        Assert.InRange(_largestWindow, 1, Limit);
        await AssertGaugesAsync(messages: 0);
    }

    private static string Recipient(int index) => string.Create(CultureInfo.InvariantCulture, $"user{index:D2}@example.net");

    private static DateTimeOffset DueOf(DateTimeOffset start, int index) => start + TimeSpan.FromMinutes(10 - index);

    private void NoteWindow()
    {
        var now = _harness.Scheduler.WindowCount;
        int seen;
        while (now > (seen = Volatile.Read(ref _largestWindow)) && Interlocked.CompareExchange(ref _largestWindow, now, seen) != seen)
        {
        }
    }

    private async Task ControlAsync(ControlCommand command, string queueId)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(QueueCommands.Success, QueueCommands.RunChange(_harness.DataDirectory, command, queueId, _harness.Time, stdout, stderr));
        _harness.Scheduler.Wake();
        Assert.Equal(new ControlRequest(command, queueId), await _harness.Events.NextControlAsync());
    }

    private string List()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(QueueCommands.Success, QueueCommands.RunList(_harness.DataDirectory, stdout, stderr));
        return stdout.ToString();
    }

    /// <summary>The gauges count what <c>queue list</c> lists: its closing line's requests, one recipient each here.</summary>
    private async Task AssertGaugesAsync(int messages)
    {
        var listing = List();
        Assert.Contains(
            messages == 0 ? "Mail queue is empty" : $"in {messages} Request{(messages == 1 ? string.Empty : "s")}.",
            listing,
            StringComparison.Ordinal);
        var metrics = await _harness.MetricsTextAsync();
        Assert.Equal(messages, Gauge(metrics, "mailrelay_queue_messages"));
        Assert.Equal(messages, Gauge(metrics, "mailrelay_queue_recipients"));
    }

    private static double Gauge(string metrics, string name)
    {
        var line = metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private void AppendState(string queueId, RecipientState state) =>
        MessageStateLog.Append(
            Path.Combine(_harness.Data.Active, queueId + ".state"),
            [StateRecord.ForRecipient(state, SpoolFixtures.Start)],
            new PosixDiskSync());
}

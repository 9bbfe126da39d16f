using System.Globalization;
using System.Threading.Channels;
using MailRelay.Queue;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>
/// The queue gauges against <c>queue list</c> after every kind of change: they must show what an operator
/// sees, including after the queue empties.
/// </summary>
public sealed class QueueGaugeTests : IAsyncLifetime, IAsyncDisposable
{
    private readonly SchedulerHarness _harness = new(o => o with { QueueLifetime = TimeSpan.FromMinutes(10) });

    public Task InitializeAsync() => _harness.StartAsync();

    Task IAsyncLifetime.DisposeAsync() => _harness.DisposeAsync().AsTask();

    ValueTask IAsyncDisposable.DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task Gauges_equal_queue_list_through_accept_defer_deliver_hold_delete_restart_and_expiry()
    {
        await AssertGaugesMatchListAsync(messages: 0, recipients: 0);

        // Accept: both messages are in the workers' hands, nothing recorded yet.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = Channel.CreateUnbounded<string>();
        _harness.Transport.BeforeReply = async (request, token) =>
        {
            started.Writer.TryWrite(request.Message.QueueId);
            await gate.Task.WaitAsync(token);
        };
        _harness.Transport.Respond = (request, r) => r.StartsWith("now", StringComparison.Ordinal) || request.Message.Envelope.Sender.Length == 0
            ? FakeTransport.Delivered(r)
            : FakeTransport.Deferred(r);
        var first = await _harness.SubmitAsync("app@example.com", "now@example.net", "later1@example.net");
        var second = await _harness.SubmitAsync("app@example.com", "later2@example.net", "later3@example.net");
        await started.Reader.ReadAsync().AsTask().WaitAsync(SchedulerEvents.Timeout);
        await started.Reader.ReadAsync().AsTask().WaitAsync(SchedulerEvents.Timeout);
        await AssertGaugesMatchListAsync(messages: 2, recipients: 4);

        // Defer (one recipient delivered, three deferred).
        gate.SetResult();
        _harness.Transport.BeforeReply = null;
        await _harness.Events.NextAttemptAsync();
        await _harness.Events.NextAttemptAsync();
        await AssertGaugesMatchListAsync(messages: 2, recipients: 3);

        // Deliver: the first message leaves the queue, the second keeps one deferred recipient.
        _harness.Transport.Respond = (request, r) => r == "later3@example.net" ? FakeTransport.Deferred(r) : FakeTransport.Delivered(r);
        _harness.Time.Advance(TimeSpan.FromMinutes(1));
        await _harness.Events.RemovedAsync(first);
        await _harness.Events.NextAttemptAsync();
        await _harness.Events.NextAttemptAsync();
        await AssertGaugesMatchListAsync(messages: 1, recipients: 1);

        // Hold and release a third message; a held message is still in the queue.
        _harness.Transport.Respond = (request, r) => request.Message.Envelope.Sender.Length == 0 ? FakeTransport.Delivered(r) : FakeTransport.Deferred(r);
        var third = await _harness.SubmitAsync("app@example.com", "later4@example.net");
        await _harness.Events.NextAttemptAsync();
        await AssertGaugesMatchListAsync(messages: 2, recipients: 2);
        await ChangeAsync(ControlCommand.Hold, third);
        await AssertGaugesMatchListAsync(messages: 2, recipients: 2);
        await ChangeAsync(ControlCommand.Release, third);
        await AssertGaugesMatchListAsync(messages: 2, recipients: 2);

        // Delete.
        await ChangeAsync(ControlCommand.Delete, third);
        await _harness.Events.RemovedAsync(third);
        await AssertGaugesMatchListAsync(messages: 1, recipients: 1);

        // Restart: the new scheduler recovers the queue from disk.
        await _harness.RestartAsync();
        await AssertGaugesMatchListAsync(messages: 1, recipients: 1);

        // Expire: the last recipient bounces, its DSN is delivered, and the queue is empty.
        _harness.Time.Advance(TimeSpan.FromMinutes(10));
        await _harness.Events.RemovedAsync(second);
        await _harness.Events.RemovedMatchingAsync(id => id != second);
        await AssertGaugesMatchListAsync(messages: 0, recipients: 0);

        // Time passing on an empty queue does not age it.
        _harness.Time.Advance(TimeSpan.FromMinutes(5));
        await AssertGaugesMatchListAsync(messages: 0, recipients: 0);
    }

    private async Task ChangeAsync(ControlCommand command, string queueId)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(QueueCommands.Success, QueueCommands.RunChange(_harness.DataDirectory, command, queueId, _harness.Time, stdout, stderr));
        _harness.Scheduler.Wake();
        Assert.Equal(new ControlRequest(command, queueId), await _harness.Events.NextControlAsync());
    }

    /// <summary>Compares the scraped gauges with <c>queue list</c>, and that with what the test expects.</summary>
    private async Task AssertGaugesMatchListAsync(int messages, int recipients)
    {
        var listed = QueueListed.Read(_harness.DataDirectory);
        Assert.Equal((messages, recipients), (listed.Messages, listed.Recipients));

        var metrics = await _harness.MetricsTextAsync();
        Assert.Equal(listed.Messages, Gauge(metrics, "mailrelay_queue_messages"));
        Assert.Equal(listed.Recipients, Gauge(metrics, "mailrelay_queue_recipients"));

        // queue list shows arrival times to the second; the fake clock starts on a whole second.
        var age = listed.OldestArrival is { } oldest ? (_harness.Time.GetUtcNow() - oldest).TotalSeconds : 0;
        Assert.Equal(Math.Floor(age), Math.Floor(Gauge(metrics, "mailrelay_queue_oldest_message_age_seconds")));
    }

    private static double Gauge(string metrics, string name)
    {
        var line = metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>What <c>MailRelay queue list</c> prints, read back: messages, recipients still to go, oldest arrival.</summary>
    private sealed record QueueListed(int Messages, int Recipients, DateTimeOffset? OldestArrival)
    {
        public static QueueListed Read(string dataDirectory)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            Assert.Equal(QueueCommands.Success, QueueCommands.RunList(dataDirectory, stdout, stderr));
            Assert.Equal(string.Empty, stderr.ToString());

            var messages = 0;
            var recipients = 0;
            DateTimeOffset? oldest = null;
            foreach (var line in stdout.ToString().Split(Environment.NewLine))
            {
                if (line.Length > QueueIdGenerator.Length && QueueIdGenerator.IsWellFormed(new string(line.AsSpan(0, QueueIdGenerator.Length))))
                {
                    messages++;
                    var arrival = DateTimeOffset.ParseExact(
                        line.Substring(QueueIdGenerator.Length + 10, 19), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                    oldest = oldest is null || arrival < oldest ? arrival : oldest;
                }
                else if (line.StartsWith(' ') && line.Trim().Length > 0)
                {
                    recipients++;
                }
            }

            return new QueueListed(messages, recipients, oldest);
        }
    }
}

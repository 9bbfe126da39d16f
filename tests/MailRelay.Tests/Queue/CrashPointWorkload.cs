using MailRelay.Delivery;
using MailRelay.Delivery.Scheduling;
using MailRelay.Events;
using MailRelay.Queue;
using MailRelay.Tests.Delivery.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.Queue;

/// <summary>
/// A run of the spool and the queue manager over <see cref="CrashPointFileSystem"/>: five messages accepted
/// (one of 200 KB, written in several writes; two side by side), an operator hold while no daemon runs, a first
/// daemon run whose attempts deliver, defer and fail recipients (one message is delivered whole and removed),
/// an operator delete, and a second run, on a later clock, that delivers the last deferred recipient of one
/// message (removing it) and defers another again.
/// </summary>
internal sealed class CrashPointWorkload
{
    private CrashPointWorkload(IReadOnlyList<CrashPointOperation> operations, IReadOnlyList<CrashPointMessage> messages)
    {
        Operations = operations;
        Messages = messages;
    }

    /// <summary>Every disk operation and marker, in order.</summary>
    public IReadOnlyList<CrashPointOperation> Operations { get; }

    public IReadOnlyList<CrashPointMessage> Messages { get; }

    public static QueueSchedulerOptions SchedulerOptions(string dataDirectory) => new()
    {
        DataDirectory = dataDirectory,
        HostName = SchedulerHarness.HostName,
        RetrySchedule = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)],
        QueueLifetime = TimeSpan.FromHours(1),
        Jitter = 0,
    };

    public static async Task<CrashPointWorkload> RunAsync()
    {
        using var data = new TempDataDirectory();
        var disk = new CrashPointFileSystem(data.Path);
        var time = new FakeTimeProvider(SpoolFixtures.Start);
        var messages = new List<CrashPointMessage>();
        var outcomes = new Dictionary<string, Queue<RecipientOutcome>>(StringComparer.Ordinal)
        {
            ["ok1@a.example"] = new([RecipientOutcome.Delivered]),
            ["later@b.example"] = new([RecipientOutcome.Deferred, RecipientOutcome.Delivered]),
            ["ok2@a.example"] = new([RecipientOutcome.Delivered]),
            ["bad@c.example"] = new([RecipientOutcome.Failed]),
            ["wait@b.example"] = new([RecipientOutcome.Deferred, RecipientOutcome.Deferred]),
            ["ok3@a.example"] = new([RecipientOutcome.Delivered]),
            ["ok4@d.example"] = new([RecipientOutcome.Delivered]),
            ["x@b.example"] = new([RecipientOutcome.Deferred]),
            ["y@c.example"] = new([RecipientOutcome.Deferred]),
        };

        var spool = SpoolFixtures.CreateSpool(data.Path, time, disk);
        spool.Initialize();

        async Task<string> AcceptAsync(string sender, params string[] recipients)
        {
            var content = SpoolFixtures.Message($"crash point {string.Join(",", recipients)}");
            if (recipients.Length == 2 && recipients[0] == "ok3@a.example")
            {
                content = [.. content, .. System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(new string('z', 98) + "\r\n", 2000)))];
            }

            var id = await SpoolFixtures.CommitAsync(spool, SpoolFixtures.Envelope(sender, recipients), content);
            disk.Mark(new CrashPointMarker(CrashPointEvent.Acknowledged, id));
            lock (messages)
            {
                messages.Add(new CrashPointMessage(id, sender, recipients, content));
            }

            return id;
        }

        await AcceptAsync("app@example.com", "ok1@a.example", "later@b.example");
        await AcceptAsync(string.Empty, "ok2@a.example", "bad@c.example", "wait@b.example");
        await AcceptAsync("app@example.com", "ok3@a.example", "ok4@d.example");
        var pair = await Task.WhenAll(
            AcceptAsync("app@example.com", "x@b.example", "y@c.example"),
            AcceptAsync("app@example.com", "held@a.example"));
        var (deleted, held) = (pair[0], pair[1]);

        disk.Mark(new CrashPointMarker(CrashPointEvent.HoldRequested, held));
        QueueFileOperations.SetHold(data.Path, held, true, time.GetUtcNow(), disk);
        disk.Mark(new CrashPointMarker(CrashPointEvent.HoldApplied, held));

        var transport = new FakeTransport
        {
            Clock = time,
            Respond = (request, recipient) =>
            {
                RecipientOutcome outcome;
                lock (outcomes)
                {
                    outcome = outcomes[recipient].Dequeue();
                }

                disk.Mark(new CrashPointMarker(CrashPointEvent.ResultGiven, request.Message.QueueId, recipient, StatusOf(outcome)));
                return outcome switch
                {
                    RecipientOutcome.Delivered => FakeTransport.Delivered(recipient),
                    RecipientOutcome.Failed => FakeTransport.Failed(recipient),
                    _ => FakeTransport.Deferred(recipient),
                };
            },
        };

        // Every recipient of the first four messages: one transaction per domain and message.
        await RunDaemonAsync(spool, transport, time, disk, attempts: 9);
        await spool.DisposeAsync();

        disk.Mark(new CrashPointMarker(CrashPointEvent.DeleteRequested, deleted));
        QueueFileOperations.Delete(data.Path, deleted, disk);
        disk.Mark(new CrashPointMarker(CrashPointEvent.DeleteApplied, deleted));

        time.Advance(TimeSpan.FromMinutes(2));
        spool = SpoolFixtures.CreateSpool(data.Path, time, disk);
        spool.Initialize();

        // The two deferred recipients now due; the held message waits.
        await RunDaemonAsync(spool, transport, time, disk, attempts: 2);
        await spool.DisposeAsync();
        return new CrashPointWorkload(disk.Operations, messages);
    }

    public static RecipientStatus StatusOf(RecipientOutcome outcome) => outcome switch
    {
        RecipientOutcome.Delivered => RecipientStatus.Delivered,
        RecipientOutcome.Failed => RecipientStatus.Failed,
        _ => RecipientStatus.Deferred,
    };

    private static async Task RunDaemonAsync(Spool spool, FakeTransport transport, TimeProvider time, CrashPointFileSystem disk, int attempts)
    {
        var dataDirectory = Path.GetDirectoryName(spool.QueueDirectory)!;
        await using var outbox = new EventOutbox(dataDirectory, disk, NullLogger.Instance);
        outbox.Open();
        var scheduler = new QueueScheduler(
            SchedulerOptions(dataDirectory), spool, transport, time, NullLogger.Instance, null, disk, new Random(7), events: outbox);
        scheduler.AttemptRecorded += (id, results) =>
        {
            foreach (var result in results ?? [])
            {
                disk.Mark(new CrashPointMarker(CrashPointEvent.ResultRecorded, id, result.Recipient, StatusOf(result.Outcome)));
            }
        };
        var events = new SchedulerEvents(scheduler);
        await scheduler.StartAsync(CancellationToken.None);
        for (var i = 0; i < attempts; i++)
        {
            await events.NextAttemptAsync();
        }

        await scheduler.StopAsync(CancellationToken.None);
        scheduler.Dispose();
    }
}

using MailRelay.Delivery;
using MailRelay.Delivery.Scheduling;
using MailRelay.Events;
using MailRelay.Queue;
using MailRelay.Queue.Segments;
using MailRelay.Tests.Delivery.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.Queue;

/// <summary>
/// A run of the spool and the queue manager over <see cref="CrashPointFileSystem"/>: five messages accepted
/// (one of 200 KB, written in several writes; two side by side), an operator hold while no daemon runs, a first
/// daemon run whose attempts deliver, defer and fail recipients (one message is delivered whole and removed),
/// an operator delete, and a second run, on a later clock, that delivers the last deferred recipient of one
/// message (removing it) and defers another again. With an active window (QUEUE_ACTIVE_LIMIT) of one, every message
/// leaves the window after its attempt and is read back from its files for the next, and the second run goes on, a
/// later clock again, to deliver the recipient it deferred: a message evicted and reloaded within one run.
/// </summary>
internal sealed class CrashPointWorkload
{
    private CrashPointWorkload(IReadOnlyList<CrashPointOperation> operations, IReadOnlyList<CrashPointMessage> messages, int largestWindow, int? windowBeforeReload)
    {
        WindowBeforeReload = windowBeforeReload;
        Operations = operations;
        Messages = messages;
        LargestWindow = largestWindow;
    }

    /// <summary>Every disk operation and marker, in order.</summary>
    public IReadOnlyList<CrashPointOperation> Operations { get; }

    public IReadOnlyList<CrashPointMessage> Messages { get; }

    /// <summary>The most messages the active window held while a recipient's result was being given.</summary>
    public int LargestWindow { get; }

    /// <summary>With a window of one: the messages in it once the second run's deferral was recorded, before the clock moved on.</summary>
    public int? WindowBeforeReload { get; }

    public static QueueSchedulerOptions SchedulerOptions(string dataDirectory, int activeLimit = QueueSchedulerOptions.DefaultActiveLimit) => new()
    {
        ActiveLimit = activeLimit,
        DataDirectory = dataDirectory,
        HostName = SchedulerHarness.HostName,
        RetrySchedule = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)],
        QueueLifetime = TimeSpan.FromHours(1),
        Jitter = 0,
    };

    /// <param name="activeLimit">The daemon runs' QUEUE_ACTIVE_LIMIT; at 1 the second run attempts the recipient it defers once more.</param>
    public static async Task<CrashPointWorkload> RunAsync(int activeLimit = QueueSchedulerOptions.DefaultActiveLimit)
    {
        var evicting = activeLimit == 1;
        QueueScheduler? running = null;
        var largestWindow = 0;
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
            ["wait@b.example"] = new(evicting
                ? [RecipientOutcome.Deferred, RecipientOutcome.Deferred, RecipientOutcome.Delivered]
                : [RecipientOutcome.Deferred, RecipientOutcome.Deferred]),
            ["ok3@a.example"] = new([RecipientOutcome.Delivered]),
            ["ok4@d.example"] = new([RecipientOutcome.Delivered]),
            ["solo@a.example"] = new([RecipientOutcome.Delivered]),
            ["x@b.example"] = new([RecipientOutcome.Deferred]),
            ["y@c.example"] = new([RecipientOutcome.Deferred]),
        };

        var spool = SpoolFixtures.CreateSpool(data.Path, time, disk, segments: SpoolFixtures.SmallSegments());
        spool.Initialize();

        async Task<string> AcceptAsync(string sender, params string[] recipients)
        {
            var content = SpoolFixtures.Message($"crash point {string.Join(",", recipients)}");
            if (recipients.Length == 2 && recipients[0] == "ok3@a.example")
            {
                content = [.. content, .. System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(new string('z', 98) + "\r\n", 2000)))];
            }

            // The message accepted last says it first arrived at the start (a peer's handover does), so a daemon restarted
            // on the recovery clock finds it due at once, as every other pending recipient.
            string id;
            await using (var writer = await spool.BeginAsync(SpoolFixtures.Envelope(sender, recipients), recipients[0] == "late@b.example" ? SpoolFixtures.Start : null))
            {
                await writer.WriteAsync(content);
                id = await writer.CommitAsync();
            }

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
        await AcceptAsync("app@example.com", "solo@a.example");
        var pair = await Task.WhenAll(
            AcceptAsync("app@example.com", "x@b.example", "y@c.example"),
            AcceptAsync("app@example.com", "held@a.example"));
        var (deleted, held) = (pair[0], pair[1]);

        disk.Mark(new CrashPointMarker(CrashPointEvent.HoldRequested, held));
        // As the running daemon applies a hold: it knows which messages its segments keep.
        QueueFileOperations.SetHold(data.Path, held, true, time.GetUtcNow(), disk, spool.Segments!.Contains);
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
                    largestWindow = Math.Max(largestWindow, running?.WindowCount ?? 0);
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
        await RunDaemonAsync(spool, transport, time, disk, activeLimit, s => running = s, attempts: 10);
        await spool.DisposeAsync();

        disk.Mark(new CrashPointMarker(CrashPointEvent.DeleteRequested, deleted));

        // As `queue delete` does with no daemon running: segment messages become queue files first.
        SegmentMaterializer.MaterializeAll(new SpoolLayout(data.Path), disk);
        QueueFileOperations.Delete(data.Path, deleted, disk);
        disk.Mark(new CrashPointMarker(CrashPointEvent.DeleteApplied, deleted));

        time.Advance(TimeSpan.FromMinutes(2));
        spool = SpoolFixtures.CreateSpool(data.Path, time, disk, segments: SpoolFixtures.SmallSegments());
        spool.Initialize();

        // The two deferred recipients now due; the held message waits. With the window of one, the message deferred
        // again leaves the window, and comes back from its files when its next retry falls due 5 minutes later.
        var windowBeforeReload = await RunDaemonAsync(
            spool, transport, time, disk, activeLimit, s => running = s, attempts: 2, then: evicting ? (TimeSpan.FromMinutes(6), 1) : null);
        await spool.DisposeAsync();

        // A third start accepts a message that then stays: its segment stops taking mail after a minute, and a minute
        // later the message is copied forward into a queue file of its own and the segment deleted.
        spool = SpoolFixtures.CreateSpool(data.Path, time, disk, segments: SpoolFixtures.SmallSegments());
        spool.Initialize();
        var late = await AcceptAsync("app@example.com", "late@b.example");
        for (var step = 0; step < 2; step++)
        {
            time.Advance(new SegmentOptions().RetireAfter);
            await spool.Segments!.RetireDueAsync();
        }

        if (!File.Exists(Path.Combine(data.Active, late + SpoolLayout.MessageExtension)))
        {
            throw new InvalidOperationException("the late message was not copied forward");
        }

        await spool.DisposeAsync();
        return new CrashPointWorkload(disk.Operations, messages, largestWindow, windowBeforeReload);
    }

    public static RecipientStatus StatusOf(RecipientOutcome outcome) => outcome switch
    {
        RecipientOutcome.Delivered => RecipientStatus.Delivered,
        RecipientOutcome.Failed => RecipientStatus.Failed,
        _ => RecipientStatus.Deferred,
    };

    /// <param name="then">After <paramref name="attempts"/>, the clock advanced this far and that many attempts more.</param>
    /// <returns>With <paramref name="then"/>, the messages in the window just before the clock was advanced.</returns>
    private static async Task<int?> RunDaemonAsync(
        Spool spool,
        FakeTransport transport,
        FakeTimeProvider time,
        CrashPointFileSystem disk,
        int activeLimit,
        Action<QueueScheduler> started,
        int attempts,
        (TimeSpan Advance, int Attempts)? then = null)
    {
        var dataDirectory = Path.GetDirectoryName(spool.QueueDirectory)!;
        int? windowBeforeAdvance = null;
        await using var outbox = new EventOutbox(dataDirectory, disk, NullLogger.Instance);
        outbox.Open();
        var scheduler = new QueueScheduler(
            SchedulerOptions(dataDirectory, activeLimit), spool, transport, time, NullLogger.Instance, null, disk, new Random(7), events: outbox);
        started(scheduler);
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

        if (then is { } more)
        {
            // A pass after the last attempt was recorded: the message it deferred has been looked at and has left the window.
            await scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);
            windowBeforeAdvance = scheduler.WindowCount;
            time.Advance(more.Advance);
            for (var i = 0; i < more.Attempts; i++)
            {
                await events.NextAttemptAsync();
            }
        }

        await scheduler.StopAsync(CancellationToken.None);
        scheduler.Dispose();
        return windowBeforeAdvance;
    }
}

using MailRelay.Delivery.Scheduling;
using MailRelay.Events;
using MailRelay.Queue;
using MailRelay.Queue.Segments;
using MailRelay.Tests.Delivery.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.Queue;

/// <summary>
/// Starts what a restarted daemon starts (the spool, then the queue manager with its recovery) on a crash
/// state, and records what it found and which recipients it attempted at once. The clock stands 30 seconds
/// after the workload began: no recorded deferral is due yet, so exactly the pending recipients of messages
/// not on hold are attempted.
/// </summary>
internal static class CrashPointRecovery
{
    public static async Task<CrashPointObservation> RecoverAsync(CrashState state)
    {
        using var data = new TempDataDirectory();
        state.Materialize(data.Path);
        var time = new FakeTimeProvider(SpoolFixtures.Start + TimeSpan.FromSeconds(30));
        await using var spool = SpoolFixtures.CreateSpool(data.Path, time, segments: SpoolFixtures.SmallSegments());
        spool.Initialize();
        var incomingLeft = data.IncomingFiles().Length;

        // What recovery will read (the same reader and log parser), before the attempts below add records.
        var snapshot = spool.CreateReader().ReadCommitted();
        var unreadable = snapshot.Unreadable.Select(u => $"{u.FileName}: {u.Problem}").ToList();
        var entries = new List<(QueueEntry, byte[], MessageState)>();
        foreach (var entry in snapshot.Entries)
        {
            try
            {
                entries.Add((entry, SpoolFixtures.ContentOf(entry), MessageStateLog.Read(Path.Combine(data.Active, entry.QueueId + SpoolLayout.StateExtension))));
            }
            catch (QueueFormatException ex)
            {
                unreadable.Add($"{entry.QueueId}{SpoolLayout.StateExtension}: {ex.Message}");
            }
        }

        // The outbox as the restarted daemon finds it (opening it cuts a torn last line), then what it appends.
        await using var outbox = new EventOutbox(data.Path, new PosixDiskSync(), NullLogger.Instance);
        outbox.Open();
        var recoveredEvents = ReadEvents(outbox, 1);
        var firstNew = outbox.NextSequence;

        var transport = new FakeTransport { Clock = time, Respond = (_, recipient) => FakeTransport.Deferred(recipient) };
        var scheduler = new QueueScheduler(
            CrashPointWorkload.SchedulerOptions(data.Path), spool, transport, time, NullLogger.Instance, null, new PosixDiskSync(), new Random(7), events: outbox);
        var events = new SchedulerEvents(scheduler);
        var firstPass = scheduler.NextPassAsync();
        await scheduler.StartAsync(CancellationToken.None);
        await firstPass.WaitAsync(SchedulerEvents.Timeout);

        var known = scheduler.MessageCount;
        for (var recorded = 0; recorded < scheduler.JobsDispatched; recorded++)
        {
            await events.NextAttemptAsync();
        }

        await scheduler.StopAsync(CancellationToken.None);
        scheduler.Dispose();

        var attempted = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var request in transport.Requests)
        {
            var id = request.Request.Message.QueueId;
            if (!attempted.TryGetValue(id, out var recipients))
            {
                attempted[id] = recipients = new HashSet<string>(StringComparer.Ordinal);
            }

            recipients.UnionWith(request.Request.Recipients);
        }

        var inSegments = SegmentScan.Read(new SpoolLayout(data.Path)).Live;
        var orphans = Directory.GetFiles(data.Active, "*" + SpoolLayout.StateExtension)
            .Count(s => !File.Exists(Path.ChangeExtension(s, SpoolLayout.MessageExtension)) && !inSegments.ContainsKey(Path.GetFileNameWithoutExtension(s)));
        var unreadableAfter = 0;
        foreach (var log in Directory.GetFiles(data.Active, "*" + SpoolLayout.StateExtension))
        {
            try
            {
                MessageStateLog.Read(log);
            }
            catch (QueueFormatException)
            {
                unreadableAfter++;
            }
        }

        return new CrashPointObservation(incomingLeft, entries, unreadable, known, attempted, orphans, unreadableAfter, recoveredEvents, ReadEvents(outbox, firstNew));
    }

    private static List<RelayEvent> ReadEvents(EventOutbox outbox, long from) =>
        [.. outbox.Read(from, int.MaxValue).Select(r => RelayEventJson.Parse(r.Json.Span)!.Value.Event)];
}

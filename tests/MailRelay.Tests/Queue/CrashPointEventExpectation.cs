using MailRelay.Events;
using MailRelay.Queue;

namespace MailRelay.Tests.Queue;

/// <summary>
/// What a recovery after a crash point may find in the event outbox (docs/events.md):
/// <list type="number">
/// <item>Every outcome the workload was told was recorded has its event.</item>
/// <item>Every outcome a recovered state log holds has its event, with that attempt number: none was recorded before its
/// event was durable.</item>
/// <item>The restarted daemon numbers an attempt one past the recovered attempts, so an attempt whose record the crash
/// lost is made again under the same number, and the same outcome gets the event id it had before.</item>
/// <item>An id always names the same outcome (type, message, recipient, attempt).</item>
/// </list>
/// </summary>
internal sealed class CrashPointEventExpectation
{
    private readonly List<(string QueueId, string Recipient, RecipientStatus Status)> _recorded = [];

    public CrashPointEventExpectation(IEnumerable<CrashPointMarker> markers)
    {
        foreach (var marker in markers.Where(m => m.Event == CrashPointEvent.ResultRecorded))
        {
            _recorded.Add((marker.QueueId, marker.Recipient!, marker.Outcome!.Value));
        }
    }

    public List<string> Violations(CrashPointObservation observed)
    {
        var violations = new List<string>();
        var events = observed.Events;
        foreach (var (queueId, recipient, status) in _recorded)
        {
            if (!events.Any(e => e.QueueId == queueId && e.Recipient == recipient && Tells(e.Type, status)))
            {
                violations.Add($"{queueId} {recipient}: {status} recorded, no event of it");
            }
        }

        var states = observed.Entries.GroupBy(e => e.Entry.QueueId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().State, StringComparer.Ordinal);
        foreach (var (queueId, state) in states)
        {
            foreach (var recipient in observed.Entries.First(e => e.Entry.QueueId == queueId).Entry.Envelope.Recipients)
            {
                var recovered = state.For(recipient);
                if (recovered.Attempts > 0
                    && !events.Any(e => e.QueueId == queueId && e.Recipient == recipient && e.Attempt == recovered.Attempts && Tells(e.Type, recovered.Status)))
                {
                    violations.Add($"{queueId} {recipient}: recovered {recovered.Status} after attempt {recovered.Attempts}, no event of it");
                }
            }
        }

        foreach (var again in observed.NewEvents.Where(e => e.QueueId is not null && states.ContainsKey(e.QueueId)))
        {
            var recovered = states[again.QueueId!].For(again.Recipient!);
            if (again.Attempt != recovered.Attempts + 1)
            {
                violations.Add($"{again.QueueId} {again.Recipient}: attempt numbered {again.Attempt} after {recovered.Attempts} recovered attempts");
            }

            if (events.FirstOrDefault(e => SameOutcome(e, again)) is { } before && before.Id != again.Id)
            {
                violations.Add($"{again.QueueId} {again.Recipient}: {again.Type} of attempt {again.Attempt} told again with id {again.Id}, before {before.Id}");
            }
        }

        foreach (var group in events.Concat(observed.NewEvents).GroupBy(e => e.Id, StringComparer.Ordinal))
        {
            if (group.Select(e => (e.Type, e.QueueId, e.Recipient, e.Attempt)).Distinct().Count() > 1)
            {
                violations.Add($"id {group.Key} names different outcomes");
            }
        }

        return violations;
    }

    private static bool SameOutcome(RelayEvent a, RelayEvent b) =>
        a.Type == b.Type && a.QueueId == b.QueueId && a.Recipient == b.Recipient && a.Attempt == b.Attempt;

    private static bool Tells(string type, RecipientStatus status) => status switch
    {
        RecipientStatus.Delivered => type == RelayEventTypes.Delivered,
        RecipientStatus.Failed => type is RelayEventTypes.Bounced or RelayEventTypes.Expired,
        RecipientStatus.Deferred => type == RelayEventTypes.Deferred,
        _ => false,
    };
}

using MailRelay.Queue;

namespace MailRelay.Tests.Queue;

/// <summary>
/// What a recovery after a crash point may find, from the markers the workload had set by then:
/// <list type="number">
/// <item>A message acknowledged (and neither deleted nor finished) is there exactly once, whole, with all its
/// recipients; one not acknowledged is absent or whole, never partial.</item>
/// <item>A recipient's state is the last outcome recorded before the crash, or, while an outcome was being
/// recorded, that one: a delivered or failed recipient whose result was durable is not attempted again; one
/// whose result was not is pending or as before.</item>
/// <item>The scheduler attempts at once exactly the pending recipients of the messages not on hold.</item>
/// <item>A hold and a delete are applied or not: a message being deleted is gone or has its state as before.</item>
/// </list>
/// </summary>
internal sealed class CrashPointExpectation
{
    private readonly IReadOnlyList<CrashPointMessage> _messages;
    private readonly HashSet<string> _acknowledged = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), RecipientStatus> _recorded = [];
    private readonly Dictionary<(string, string), RecipientStatus> _recording = [];
    private readonly Dictionary<string, (bool Held, bool Holding)> _holds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _deletes = new(StringComparer.Ordinal);

    public CrashPointExpectation(IReadOnlyList<CrashPointMessage> messages, IEnumerable<CrashPointMarker> markers)
    {
        _messages = messages;
        foreach (var marker in markers)
        {
            var id = marker.QueueId;
            switch (marker.Event)
            {
                case CrashPointEvent.Acknowledged:
                    _acknowledged.Add(id);
                    break;
                case CrashPointEvent.ResultGiven:
                    _recording[(id, marker.Recipient!)] = marker.Outcome!.Value;
                    break;
                case CrashPointEvent.ResultRecorded:
                    _recording.Remove((id, marker.Recipient!));
                    _recorded[(id, marker.Recipient!)] = marker.Outcome!.Value;
                    break;
                case CrashPointEvent.HoldRequested:
                    _holds[id] = (false, true);
                    break;
                case CrashPointEvent.HoldApplied:
                    _holds[id] = (true, false);
                    break;
                case CrashPointEvent.DeleteRequested:
                    _deletes[id] = false;
                    break;
                case CrashPointEvent.DeleteApplied:
                    _deletes[id] = true;
                    break;
            }
        }
    }

    /// <summary>Every way <paramref name="observed"/> breaks the invariants; empty when it keeps them.</summary>
    public List<string> Violations(CrashPointObservation observed)
    {
        var violations = new List<string>();
        if (observed.IncomingLeft != 0)
        {
            violations.Add($"{observed.IncomingLeft} files left in incoming/");
        }

        violations.AddRange(observed.Unreadable.Select(u => "unreadable: " + u));
        if (observed.OrphanStates != 0)
        {
            violations.Add($"{observed.OrphanStates} state logs without their message");
        }

        if (observed.UnreadableLogsAfter != 0)
        {
            violations.Add($"{observed.UnreadableLogsAfter} state logs unreadable after the restarted daemon appended to them");
        }

        if (observed.Known != observed.Entries.Count)
        {
            violations.Add($"the scheduler knows {observed.Known} messages, the queue holds {observed.Entries.Count}");
        }

        var found = observed.Entries.GroupBy(e => e.Entry.QueueId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var id in found.Keys.Where(id => _messages.All(m => m.QueueId != id)))
        {
            violations.Add($"{id}: a message nobody sent");
        }

        foreach (var message in _messages)
        {
            var id = message.QueueId;
            var recipients = message.Recipients.Select(r => (Name: r, Allowed: Allowed(id, r))).ToList();
            var deleting = _deletes.TryGetValue(id, out var deleted);
            var finished = recipients.All(r => IsFinal(r.Allowed[0]));
            var mayFinish = recipients.All(r => r.Allowed.Any(IsFinal));
            var mustBeGone = deleted || (_acknowledged.Contains(id) && finished);
            var mayBeGone = !_acknowledged.Contains(id) || deleting || mayFinish;
            if (!found.TryGetValue(id, out var copies))
            {
                if (!mayBeGone)
                {
                    violations.Add($"{id}: acknowledged, lost");
                }

                continue;
            }

            if (mustBeGone)
            {
                violations.Add($"{id}: {(deleted ? "deleted" : "finished")}, back in the queue");
            }

            if (copies.Count > 1)
            {
                violations.Add($"{id}: queued {copies.Count} times");
            }

            var (entry, content, state) = copies[0];
            if (!entry.Envelope.Recipients.SequenceEqual(message.Recipients, StringComparer.Ordinal))
            {
                violations.Add($"{id}: recipients {string.Join(",", entry.Envelope.Recipients)}");
            }

            if (!content.AsSpan().SequenceEqual(message.Content))
            {
                violations.Add($"{id}: {content.Length} bytes of content, not the {message.Content.Length} sent");
            }

            var (held, holding) = _holds.GetValueOrDefault(id);
            if (state.Held != held && !holding)
            {
                violations.Add($"{id}: held is {state.Held}, {held} was durable");
            }

            var attempted = observed.Attempted.GetValueOrDefault(id) ?? [];
            foreach (var (recipient, allowed) in recipients)
            {
                var status = state.For(recipient).Status;
                if (!allowed.Contains(status))
                {
                    violations.Add($"{id} {recipient}: recovered {status}, expected {string.Join(" or ", allowed)}");
                }

                var due = status == RecipientStatus.Pending && !state.Held;
                if (attempted.Contains(recipient) != due)
                {
                    violations.Add($"{id} {recipient}: {status}{(state.Held ? " on hold" : string.Empty)}, {(due ? "not attempted" : "attempted")} after the restart");
                }
            }
        }

        return violations;
    }

    private static bool IsFinal(RecipientStatus status) => status is RecipientStatus.Delivered or RecipientStatus.Failed;

    /// <summary>The durable state first, then the one being recorded, if any.</summary>
    private List<RecipientStatus> Allowed(string queueId, string recipient)
    {
        var allowed = new List<RecipientStatus> { _recorded.GetValueOrDefault((queueId, recipient), RecipientStatus.Pending) };
        if (_recording.TryGetValue((queueId, recipient), out var recording))
        {
            allowed.Add(recording);
        }

        return allowed;
    }
}

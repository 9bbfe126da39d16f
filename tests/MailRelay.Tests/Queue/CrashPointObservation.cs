using MailRelay.Events;
using MailRelay.Queue;

namespace MailRelay.Tests.Queue;

/// <summary>What a daemon restarted on a crash state found and did.</summary>
/// <param name="IncomingLeft">Files left in <c>incoming/</c> once the spool started.</param>
/// <param name="Entries">The committed messages recovery read, with their content and recorded state.</param>
/// <param name="Unreadable">Files in <c>active/</c> recovery could not read.</param>
/// <param name="Known">How many messages the scheduler took on.</param>
/// <param name="Attempted">Recipients the scheduler handed to the transport at once, by queue id.</param>
/// <param name="OrphanStates">State logs left without their queue file after recovery.</param>
/// <param name="UnreadableLogsAfter">State logs that no longer parse once the restarted daemon appended to them.</param>
/// <param name="Events">The events the outbox held when the daemon restarted.</param>
/// <param name="NewEvents">The events the restarted daemon appended.</param>
internal sealed record CrashPointObservation(
    int IncomingLeft,
    IReadOnlyList<(QueueEntry Entry, byte[] Content, MessageState State)> Entries,
    IReadOnlyList<string> Unreadable,
    int Known,
    IReadOnlyDictionary<string, HashSet<string>> Attempted,
    int OrphanStates,
    int UnreadableLogsAfter,
    IReadOnlyList<RelayEvent> Events,
    IReadOnlyList<RelayEvent> NewEvents);

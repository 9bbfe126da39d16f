using MailRelay.Queue;

namespace MailRelay.Tests.Queue;

/// <summary>A marker: the event, the message, and for results the recipient and its outcome.</summary>
internal sealed record CrashPointMarker(CrashPointEvent Event, string QueueId, string? Recipient = null, RecipientStatus? Outcome = null)
{
    public override string ToString() => $"{Event} {QueueId} {Recipient} {Outcome}".TrimEnd();
}

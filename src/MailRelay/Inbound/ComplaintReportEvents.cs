using MailRelay.Bounces;
using MailRelay.Events;
using MimeKit;

namespace MailRelay.Inbound;

/// <summary>
/// An ARF report (RFC 5965) made into a <c>complained</c> event. It is tied to our message by a VERP return path: the
/// recipient it was sent to, or the Return-Path of the returned message, or its Original-Mail-From; failing that by
/// the returned message's Message-ID or client id alone (then the event has no queue id).
/// </summary>
internal static class ComplaintReportEvents
{
    /// <summary>The events, or null when the report cannot be tied to a message of ours (then a person should read it).</summary>
    public static IReadOnlyList<RelayEvent>? From(
        InboundMessage message, MultipartReport report, string clientIdHeader, Func<string?, BounceAddressCheck?> verify, DateTimeOffset now)
    {
        var feedback = report.OfType<MessageFeedbackReport>().FirstOrDefault();
        if (feedback is null)
        {
            return null;
        }

        var fields = feedback.Fields;
        var returned = ReturnedMessage.From(report, clientIdHeader);
        var returnPaths = message.Recipients.Select(verify).OfType<BounceAddressCheck>().ToList();
        if (returnPaths.Count == 0 && (verify(returned.ReturnPath) ?? verify(ReturnedMessage.Unbracket(fields["Original-Mail-From"]))) is { } fromReturned)
        {
            returnPaths.Add(fromReturned);
        }

        if (returnPaths.Count == 0 && returned.MessageId is null && returned.ClientId is null)
        {
            return null;
        }

        var details = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["source"] = "arf" };
        Add(details, "feedback_type", ReturnedMessage.Clean(fields["Feedback-Type"])?.ToLowerInvariant());
        Add(details, "user_agent", ReturnedMessage.Clean(fields["User-Agent"]));
        Add(details, "reporting_mta", ReturnedMessage.AfterType(fields["Reporting-MTA"]));
        Add(details, "source_ip", ReturnedMessage.Clean(fields["Source-IP"]));
        Add(details, "arrival_date", ReturnedMessage.Clean(fields["Arrival-Date"]));
        var reportedRecipient = ReturnedMessage.Unbracket(fields["Original-Rcpt-To"]);
        var targets = returnPaths.Count > 0
            ? returnPaths.Select(r => (r.QueueId, r.Recipient)).ToArray()
            : [(null, reportedRecipient)];
        return targets.Select(t => new RelayEvent
        {
            Id = InboundEventId.For(RelayEventTypes.Complained, t.QueueId, t.Recipient, returned.MessageId, message.ContentHash),
            Type = RelayEventTypes.Complained,
            Time = now,
            QueueId = t.QueueId,
            MessageId = returned.MessageId,
            ClientId = returned.ClientId,
            Recipient = t.Recipient,
            Details = details,
        }).ToArray();
    }

    private static void Add(SortedDictionary<string, string> details, string key, string? value)
    {
        if (value is not null)
        {
            details[key] = value;
        }
    }
}

using MailRelay.Bounces;
using MailRelay.Events;
using MimeKit;

namespace MailRelay.Inbound;

/// <summary>
/// A DSN (RFC 3464) sent back to a VERP return path, made into <c>bounced</c> (Action: failed) and <c>delayed</c>
/// (Action: delayed) events for the queue id and recipient the return path stands for, with the DSN's status and
/// diagnostic and the Message-ID and client id of the returned headers.
/// </summary>
internal static class DeliveryReportEvents
{
    /// <summary>
    /// The events; empty when the DSN tells of no failure or delay (a delivery or relay notice); null when it is not
    /// addressed to a VERP return path of ours or has no per-recipient fields (then a person should read it).
    /// </summary>
    public static IReadOnlyList<RelayEvent>? From(
        InboundMessage message, MultipartReport report, string clientIdHeader, Func<string?, BounceAddressCheck?> verify, DateTimeOffset now)
    {
        var returnPaths = message.Recipients.Select(verify).OfType<BounceAddressCheck>().ToArray();
        var status = report.OfType<MessageDeliveryStatus>().FirstOrDefault();
        if (returnPaths.Length == 0 || status is null || status.StatusGroups.Count < 2)
        {
            return null;
        }

        var perMessage = status.StatusGroups[0];
        var perRecipient = status.StatusGroups.Skip(1).ToArray();
        var returned = ReturnedMessage.From(report, clientIdHeader);
        var events = new List<RelayEvent>();
        foreach (var returnPath in returnPaths)
        {
            var fields = perRecipient.FirstOrDefault(g => IsAbout(g, returnPath.Recipient)) ?? perRecipient[0];
            var action = ReturnedMessage.Clean(fields["Action"])?.ToLowerInvariant();
            var type = action switch
            {
                "failed" => RelayEventTypes.Bounced,
                "delayed" => RelayEventTypes.Delayed,
                _ => null,
            };
            if (type is null)
            {
                continue;
            }

            var details = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["source"] = "dsn", ["action"] = action! };
            if (ReturnedMessage.AfterType(perMessage["Reporting-MTA"]) is { } reportingMta)
            {
                details["reporting_mta"] = reportingMta;
            }

            events.Add(new RelayEvent
            {
                Id = InboundEventId.For(type, returnPath.QueueId, returnPath.Recipient, returned.MessageId, message.ContentHash),
                Type = type,
                Time = now,
                QueueId = returnPath.QueueId,
                MessageId = returned.MessageId,
                ClientId = returned.ClientId,
                Recipient = returnPath.Recipient,
                NextHop = ReturnedMessage.AfterType(fields["Remote-MTA"]),
                RemoteReply = ReturnedMessage.AfterType(fields["Diagnostic-Code"]),
                DsnStatus = ReturnedMessage.Clean(fields["Status"])?.Split(' ')[0],
                Details = details,
            });
        }

        return events;
    }

    private static bool IsAbout(HeaderList fields, string? recipient) =>
        recipient is not null
        && (string.Equals(ReturnedMessage.AfterType(fields["Final-Recipient"]), recipient, StringComparison.OrdinalIgnoreCase)
            || string.Equals(ReturnedMessage.AfterType(fields["Original-Recipient"]), recipient, StringComparison.OrdinalIgnoreCase));
}

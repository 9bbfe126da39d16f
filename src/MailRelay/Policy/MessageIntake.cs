using MailRelay.Configuration;
using MailRelay.Policy.Senders;

namespace MailRelay.Policy;

/// <summary>What happens to every message on its way into the spool: the trace header, header hygiene, the From: check.</summary>
public sealed class MessageIntake
{
    public MessageIntake(string hostName, OutboundHeaderSettings headers, SenderPolicy senders, SenderMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(senders);
        HostName = hostName;
        HideClient = headers.HideClient;
        StripHeaders = new HashSet<string>(headers.StripHeaders, StringComparer.OrdinalIgnoreCase);
        CheckFromHeader = senders.ChecksFromHeader;
        Metrics = metrics;
    }

    public string HostName { get; }

    public bool HideClient { get; }

    public IReadOnlySet<string> StripHeaders { get; }

    public bool CheckFromHeader { get; }

    public SenderMetrics Metrics { get; }

    /// <summary>A filter for one message, or null when there is nothing to look at (content is copied as it comes).</summary>
    public HeaderSectionFilter? CreateFilter(string sender) =>
        StripHeaders.Count > 0 || ChecksFrom(sender) ? new HeaderSectionFilter(StripHeaders, ChecksFrom(sender)) : null;

    /// <summary>The null sender (a DSN) has no domain to compare, so its From: is not checked.</summary>
    public bool ChecksFrom(string sender) => CheckFromHeader && sender.Length > 0;
}

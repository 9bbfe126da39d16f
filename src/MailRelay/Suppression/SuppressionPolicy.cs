using MailRelay.Smtp.Protocol;

namespace MailRelay.Suppression;

/// <summary>The RCPT check under SUPPRESS_AFTER_HARD_BOUNCE: a suppressed recipient gets 550 5.1.1.</summary>
public sealed class SuppressionPolicy
{
    private readonly SuppressionStore _store;
    private readonly SuppressionMetrics _metrics;

    public SuppressionPolicy(SuppressionStore store, SuppressionMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(metrics);
        _store = store;
        _metrics = metrics;
    }

    /// <summary>The refusal for <paramref name="recipient"/>, or null when it is not suppressed.</summary>
    public SmtpReply? Check(string recipient)
    {
        if (_store.Find(recipient) is not { } entry)
        {
            return null;
        }

        _metrics.Refused(entry.Reason);
        var after = entry.Reason == SuppressionReason.Complaint ? "a complaint" : "a hard bounce";
        return new SmtpReply(550, "5.1.1", $"<{recipient}>: Recipient address rejected: suppressed after {after}");
    }
}

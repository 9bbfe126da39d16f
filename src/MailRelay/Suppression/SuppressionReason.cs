namespace MailRelay.Suppression;

/// <summary>Why a recipient is suppressed.</summary>
public enum SuppressionReason
{
    /// <summary>A <c>bounced</c> event with a 5.x.x DSN status.</summary>
    HardBounce,

    /// <summary>A <c>complained</c> event (a feedback-loop report).</summary>
    Complaint,
}

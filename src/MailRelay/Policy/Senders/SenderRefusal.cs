namespace MailRelay.Policy.Senders;

/// <summary>Why a sender was refused; the metric's <c>reason</c> label.</summary>
public enum SenderRefusal
{
    None,

    /// <summary>SENDER_ACCESS_ENABLED: forbidden, or not among the allowed senders.</summary>
    SenderAccess,

    /// <summary>SMTP_AUTH_CONSTRAIN_SENDER / SMTP_AUTH_SENDERS: not an address the authenticated user may use.</summary>
    AuthBinding,

    /// <summary>SENDER_CHECK_FROM_HEADER: the From: header is not at the envelope sender's domain.</summary>
    FromHeader,
}

namespace MailRelay.Queue;

/// <summary>How much of the message a delivery status notification should return (RFC 3461 RET=).</summary>
public enum DsnReturn
{
    /// <summary>The client gave no RET parameter.</summary>
    Unspecified,

    /// <summary>RET=FULL.</summary>
    Full,

    /// <summary>RET=HDRS.</summary>
    Headers,
}

namespace MailRelay.Queue;

/// <summary>When a recipient's sender wants a delivery status notification (RFC 3461 NOTIFY=).</summary>
[Flags]
public enum DsnNotify
{
    /// <summary>No NOTIFY given: failures are reported, delays at the relay's discretion.</summary>
    Unspecified = 0,

    /// <summary>NOTIFY=NEVER: no notification of any kind.</summary>
    Never = 1,

    Success = 2,

    Failure = 4,

    Delay = 8,
}

namespace MailRelay.Inbound;

/// <summary>What an inbound message turned out to be (the <c>kind</c> label of the inbound metrics).</summary>
public enum InboundKind
{
    /// <summary>A delivery status notification (RFC 3464).</summary>
    Dsn,

    /// <summary>A feedback-loop complaint (ARF, RFC 5965).</summary>
    Arf,

    /// <summary>A DMARC aggregate report (RFC 7489 §7.2).</summary>
    DmarcReport,

    /// <summary>Anything else.</summary>
    Other,
}

/// <summary>What became of an inbound message (the <c>outcome</c> label).</summary>
public enum InboundOutcome
{
    /// <summary>Made into events or metrics (or found to tell nothing: a DSN saying delivered, a report too old).</summary>
    Processed,

    /// <summary>Queued as a new message to INBOUND_FORWARD_TO.</summary>
    Forwarded,

    /// <summary>Kept as a file under DATA_DIR/inbound.</summary>
    Kept,

    /// <summary>Refused by the verification (SPF fail, DMARC reject) or because the kept files are at their bound.</summary>
    Refused,

    /// <summary>A transient failure (disk, outbox, DNS): answered 451, the sender tries again.</summary>
    Failed,
}

namespace MailRelay.Queue;

/// <summary>The durable delivery state of one recipient (the last record about it in the state log).</summary>
public sealed record RecipientState(string Recipient, RecipientStatus Status)
{
    /// <summary>Delivery attempts that ended in a result (cut-short attempts are not counted).</summary>
    public int Attempts { get; init; }

    /// <summary>When the last attempt ended.</summary>
    public DateTimeOffset? LastAttempt { get; init; }

    /// <summary>When a deferred recipient is due again.</summary>
    public DateTimeOffset? NextAttempt { get; init; }

    /// <summary>The last reply, as text (<c>451 4.7.1 try later</c>).</summary>
    public string? LastReply { get; init; }

    /// <summary>The RFC 3463 status of the last attempt (<c>2.0.0</c>, <c>4.4.7</c>, <c>5.1.1</c>).</summary>
    public string? StatusCode { get; init; }

    /// <summary>The host that answered, as <c>name[address]:port</c>; null when no host was reached.</summary>
    public string? Relay { get; init; }

    /// <summary>For a failed recipient: a DSN about it has been committed to the spool (or none is owed).</summary>
    public bool Notified { get; init; }

    /// <summary>For a deferred recipient: a delay warning about it has been committed (or none is owed).</summary>
    public bool Warned { get; init; }

    public bool IsFinal => Status is RecipientStatus.Delivered or RecipientStatus.Failed;
}

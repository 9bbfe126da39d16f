namespace MailRelay.Smtp.Session;

/// <summary>The body type declared with MAIL FROM BODY= (RFC 6152).</summary>
public enum BodyType
{
    SevenBit,
    EightBitMime,
}

/// <summary>One mail transaction: MAIL FROM, the accepted RCPT TOs, and their parameters.</summary>
public sealed class MailTransaction
{
    public MailTransaction(string reversePath)
    {
        ReversePath = reversePath;
    }

    /// <summary>The envelope sender without angle brackets; empty for the null sender.</summary>
    public string ReversePath { get; }

    /// <summary>The SIZE= value the client declared, if any.</summary>
    public long? DeclaredSize { get; init; }

    public BodyType Body { get; init; } = BodyType.SevenBit;

    /// <summary>Whether the client asked for SMTPUTF8 (RFC 6531).</summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary>ENVID (RFC 3461), when given.</summary>
    public string? EnvelopeId { get; init; }

    /// <summary>RET (RFC 3461), when given: FULL or HDRS.</summary>
    public string? Return { get; init; }

    /// <summary>
    /// XARRIVAL: when a peer relay handing over its queue first accepted the message; only ever set for a client in
    /// <see cref="SmtpServerOptions.ArrivalTimePeers"/>.
    /// </summary>
    public DateTimeOffset? OriginalArrival { get; init; }

    /// <summary>Recipients the handler accepted, in order.</summary>
    public List<string> Recipients { get; } = [];

    /// <summary>NOTIFY/ORCPT of the accepted recipients that gave any, by address (the first RCPT of an address wins).</summary>
    public Dictionary<string, RecipientDsnRequest> DsnRequests { get; } = new(StringComparer.Ordinal);
}

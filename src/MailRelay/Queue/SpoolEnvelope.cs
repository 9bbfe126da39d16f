namespace MailRelay.Queue;

/// <summary>
/// What the SMTP transaction says about a message, stored with it. The queue id and arrival time are
/// assigned by the spool, not given here.
/// </summary>
public sealed class SpoolEnvelope
{
    /// <summary>The envelope sender without angle brackets; empty for the null sender (bounces).</summary>
    public required string Sender { get; init; }

    /// <summary>The accepted recipients, in order; at least one.</summary>
    public required IReadOnlyList<string> Recipients { get; init; }

    /// <summary>The client's real address (after PROXY), as text; null when unknown.</summary>
    public string? ClientAddress { get; init; }

    /// <summary>The EHLO/HELO argument.</summary>
    public string? HeloName { get; init; }

    /// <summary>The identity the client authenticated as, if it did.</summary>
    public string? AuthenticatedUser { get; init; }

    /// <summary>Whether the client asked for SMTPUTF8 (RFC 6531).</summary>
    public bool SmtpUtf8 { get; init; }

    public MessageBodyType Body { get; init; } = MessageBodyType.SevenBit;

    /// <summary>ENVID (RFC 3461), when given.</summary>
    public string? EnvelopeId { get; init; }

    public DsnReturn Return { get; init; } = DsnReturn.Unspecified;

    /// <summary>NOTIFY/ORCPT of the recipients that gave any (RFC 3461), by recipient address.</summary>
    public IReadOnlyDictionary<string, RecipientDsnOptions> RecipientDsn { get; init; } = Empty;

    private static IReadOnlyDictionary<string, RecipientDsnOptions> Empty { get; } = new Dictionary<string, RecipientDsnOptions>(StringComparer.Ordinal);

    /// <summary>The DSN options of <paramref name="recipient"/>; unspecified when it gave none.</summary>
    public RecipientDsnOptions DsnOptionsOf(string recipient) =>
        RecipientDsn.TryGetValue(recipient, out var options) ? options : Unspecified;

    private static RecipientDsnOptions Unspecified { get; } = new(DsnNotify.Unspecified, null);
}

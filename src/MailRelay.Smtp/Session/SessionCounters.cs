namespace MailRelay.Smtp.Session;

/// <summary>What a session counts for its <see cref="SessionSummary"/>.</summary>
public sealed class SessionCounters
{
    public int Commands { get; set; }

    public int MessagesAccepted { get; set; }

    public int MessagesRefused { get; set; }

    public int RecipientsAccepted { get; set; }

    public int RecipientsRefused { get; set; }

    /// <summary>Decoded message octets received in DATA and BDAT, accepted or not.</summary>
    public long BytesReceived { get; set; }
}

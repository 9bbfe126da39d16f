namespace MailRelay.Smtp.Session;

/// <summary>The open mail transaction and what the engine tracks beside the handler's view of it.</summary>
public sealed class ActiveTransaction
{
    public ActiveTransaction(MailTransaction mail)
    {
        Mail = mail;
    }

    public MailTransaction Mail { get; }

    /// <summary>RCPT commands given, accepted or not: DATA needs at least one (else 503).</summary>
    public int RecipientAttempts { get; set; }

    /// <summary>The message being received with BDAT, once the first chunk arrived.</summary>
    public ChunkedMessage? Chunks { get; set; }
}

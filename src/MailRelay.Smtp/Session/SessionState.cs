namespace MailRelay.Smtp.Session;

/// <summary>Where a session is in the RFC 5321 dialogue; the state table says what each state allows.</summary>
public enum SessionState
{
    /// <summary>Greeting sent (or TLS just started): EHLO/HELO needed before a transaction.</summary>
    Connected,

    /// <summary>EHLO/HELO accepted, no transaction open.</summary>
    Greeted,

    /// <summary>MAIL accepted; RCPT, DATA or BDAT may follow.</summary>
    InTransaction,

    /// <summary>At least one BDAT chunk received, the LAST one not yet.</summary>
    ReceivingChunks,
}

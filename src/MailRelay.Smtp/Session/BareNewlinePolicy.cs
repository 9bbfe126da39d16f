namespace MailRelay.Smtp.Session;

/// <summary>What a bare LF or bare CR inside message content gets.</summary>
public enum BareNewlinePolicy
{
    /// <summary>Refuse the message with a 5xx after the end of DATA (Postfix's <c>smtpd_forbid_bare_newline = reject</c>).</summary>
    Reject,

    /// <summary>Store a bare-LF line end as CRLF. A bare CR is still refused. Only CRLF.CRLF ends DATA.</summary>
    Normalize,
}

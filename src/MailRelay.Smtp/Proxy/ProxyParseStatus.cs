namespace MailRelay.Smtp.Proxy;

/// <summary>What <see cref="ProxyHeaderParser"/> made of the bytes it was given.</summary>
public enum ProxyParseStatus
{
    /// <summary>The bytes so far are a valid start of a header; read more and parse again.</summary>
    Incomplete,

    /// <summary>The bytes can never become a valid header; close the connection.</summary>
    Invalid,

    /// <summary>A complete, valid header; <see cref="ProxyParseResult.Header"/> describes it.</summary>
    Header,
}

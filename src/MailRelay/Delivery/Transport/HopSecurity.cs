namespace MailRelay.Delivery.Transport;

/// <summary>The TLS a connection to a next hop uses.</summary>
public enum HopSecurity
{
    /// <summary>STARTTLS when offered, any certificate accepted (Postfix's <c>may</c> level); plain text otherwise.</summary>
    Opportunistic,

    /// <summary>STARTTLS must be offered and succeed, and the certificate must validate for the host name.</summary>
    RequiredStartTls,

    /// <summary>TLS from the first byte (port 465), the certificate validated for the host name.</summary>
    ImplicitTls,

    /// <summary>Never TLS.</summary>
    None,
}

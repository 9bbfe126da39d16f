namespace MailRelay.Configuration;

/// <summary>What TLS the connection to the smarthost must use.</summary>
public enum RelayTlsMode
{
    /// <summary>STARTTLS (or implicit TLS on port 465) with a valid certificate, or no delivery.</summary>
    Required,

    /// <summary>STARTTLS when the smarthost offers it, plain text otherwise.</summary>
    Opportunistic,

    /// <summary>Never TLS.</summary>
    None,
}

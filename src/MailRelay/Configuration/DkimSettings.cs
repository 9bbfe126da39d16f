namespace MailRelay.Configuration;

/// <summary>DKIM signing and key management.</summary>
public sealed record DkimSettings
{
    /// <summary>DKIM_ENABLED.</summary>
    public required bool Enabled { get; init; }

    /// <summary>DKIM_AUTO_GENERATE: create a key on start for a domain that has none.</summary>
    public required bool AutoGenerate { get; init; }

    /// <summary>DKIM_KEY_SIZE: RSA modulus bits for generated keys.</summary>
    public required int KeySize { get; init; }

    /// <summary>DKIM_DOMAINS with each domain's selector (from MAIL_DOMAINS, else DKIM_SELECTOR).</summary>
    public required IReadOnlyList<MailDomain> Domains { get; init; }

    /// <summary>DKIM_SELECTOR: the selector for domains that name none.</summary>
    public required string DefaultSelector { get; init; }

    /// <summary>DKIM_KEY_DIR.</summary>
    public required string KeyDirectory { get; init; }
}

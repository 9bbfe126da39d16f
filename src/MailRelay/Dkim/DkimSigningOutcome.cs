namespace MailRelay.Dkim;

/// <summary>What the signer did with a message.</summary>
public enum DkimSigningOutcome
{
    /// <summary>A DKIM-Signature field was produced; prepend it.</summary>
    SignatureCreated,

    /// <summary>Neither the From domain nor the envelope sender's domain has a key: send as is.</summary>
    NoKey,

    /// <summary>The message already carries a signature with our d= and s=: send as is.</summary>
    AlreadySigned,

    /// <summary>The message could not be signed (malformed header section, crypto failure): send as is.</summary>
    Failed,
}

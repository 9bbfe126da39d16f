namespace MailRelay.Inbound.Authentication;

/// <summary>What a TXT query for a policy or key record came back with.</summary>
public enum TxtLookupStatus
{
    /// <summary>The name has TXT records.</summary>
    Found,

    /// <summary>NXDOMAIN, or the name exists without TXT records: the domain publishes nothing there.</summary>
    NotFound,

    /// <summary>No answer in time, SERVFAIL, REFUSED: nothing is known, and a later try may succeed.</summary>
    TemporaryFailure,
}

namespace MailRelay.Smtp.Connections;

/// <summary>Which cap refused a connection.</summary>
public enum ConnectionLimitKind
{
    /// <summary>All SMTP listeners together hold the maximum number of sessions.</summary>
    Total,

    /// <summary>The client's address already holds its maximum number of sessions.</summary>
    PerClient,
}

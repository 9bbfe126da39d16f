using System.Net;

namespace MailRelay.Smtp.Connections;

/// <summary>One connection turned away with 421 by <see cref="ConnectionLimitMiddleware"/>.</summary>
public sealed class ConnectionRefusedEventArgs : EventArgs
{
    public ConnectionRefusedEventArgs(ConnectionLimitKind limit, IPAddress? clientAddress)
    {
        Limit = limit;
        ClientAddress = clientAddress;
    }

    public ConnectionLimitKind Limit { get; }

    /// <summary>The real client address (after any PROXY header), or null for a non-IP transport.</summary>
    public IPAddress? ClientAddress { get; }
}

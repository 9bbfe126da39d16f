namespace MailRelay.Delivery.Transport;

/// <summary>A ready connection (greeted, EHLO done, TLS and AUTH as the hop demands), or why there is none.</summary>
public sealed record ConnectResult(RelayingSmtpClient? Client, RemoteReply? Failure)
{
    public static ConnectResult Connected(RelayingSmtpClient client) => new(client, null);

    public static ConnectResult Failed(RemoteReply reply) => new(null, reply);
}

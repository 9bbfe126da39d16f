namespace MailRelay.Delivery.Transport;

/// <summary>A connected client waiting in the pool, and when it went idle.</summary>
internal sealed record IdleConnection(RelayingSmtpClient Client, DateTimeOffset IdleSince);

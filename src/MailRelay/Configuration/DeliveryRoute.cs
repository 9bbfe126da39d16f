namespace MailRelay.Configuration;

/// <summary>Where mail for one domain goes instead of its MX hosts (a transport-map entry).</summary>
/// <param name="Host">A host name or an IP address.</param>
/// <param name="Port">The TCP port.</param>
public sealed record DeliveryRoute(string Host, int Port);

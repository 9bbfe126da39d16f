using MailRelay.Configuration;

namespace MailRelay.Delivery.Transport;

/// <summary>
/// One host that mail for a domain may be handed to: an MX host, a DELIVERY_ROUTES destination or the
/// smarthost. <see cref="Host"/> is the name the certificate is checked against (or an address literal).
/// </summary>
public sealed record NextHop(string Host, int Port, HopSecurity Security, RelayCredentials? Credentials);

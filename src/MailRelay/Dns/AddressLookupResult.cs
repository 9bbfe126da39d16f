using System.Net;

namespace MailRelay.Dns;

/// <summary>The addresses of one host, IPv6 first when both families are allowed, and what the DNS said.</summary>
public sealed record AddressLookupResult(AddressLookupStatus Status, IReadOnlyList<IPAddress> Addresses, string Detail);

using MailRelay.RateLimiting;

namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// A job's admission by the pacer: its provider, whether it is the circuit breaker's probe, the delivery
/// slot it holds under the connection ceilings (freed when the attempt ends) and what its connection must keep.
/// </summary>
internal sealed record PacingTicket(ProviderKey Provider, bool IsProbe, ConnectionLease Lease, PacedConnection Connection);

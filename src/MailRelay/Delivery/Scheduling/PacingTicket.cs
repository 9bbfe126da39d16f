using MailRelay.RateLimiting;

namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// A job's admission by the pacer: its provider, whether it is the circuit breaker's probe, the delivery
/// slot it holds under the connection ceilings (freed when the attempt ends), what its connection must keep, and the
/// gate its transaction starts at (its reserved send slot, kept just before MAIL FROM).
/// </summary>
internal sealed record PacingTicket(ProviderKey Provider, bool IsProbe, ConnectionLease Lease, PacedConnection Connection, TransactionGate Gate);

namespace MailRelay.Delivery;

/// <summary>
/// What delivery pacing asks of the connection that carries one request. Connections are kept and reused
/// only among requests with the same <see cref="PoolKey"/> (one provider and custom-domain scope) and carry
/// at most <see cref="MaxMessages"/> messages. When a connection ceiling applies, idle connections that
/// count against it are closed before a new one is opened, so open connections never outnumber the
/// delivery slots the pacer handed out.
/// </summary>
/// <param name="PoolKey">The pacing scope; connections are shared only within it.</param>
/// <param name="MaxMessages">Messages one connection may carry (the strictest static ceiling); null: no ceiling.</param>
/// <param name="ScopeCeiling">A maximum number of connections applies to this scope.</param>
/// <param name="GlobalCeiling">A maximum number of connections applies to all destinations together.</param>
public sealed record PacedConnection(string PoolKey, int? MaxMessages, bool ScopeCeiling, bool GlobalCeiling);

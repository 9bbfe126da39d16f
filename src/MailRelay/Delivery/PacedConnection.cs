namespace MailRelay.Delivery;

/// <summary>
/// What delivery pacing asks of the connection that carries one request. Connections are kept and reused
/// only among requests with the same <see cref="PoolKey"/> (one provider, or one custom domain of it) and
/// carry at most <see cref="MaxMessages"/> messages. When a connection ceiling applies, idle connections
/// that count against it are closed before a new one is opened, so open connections never outnumber the
/// delivery slots the pacer handed out.
/// </summary>
/// <param name="PoolKey">The pacing scope: <c>provider</c>, or <c>provider|domain</c> for a custom domain.</param>
/// <param name="MaxMessages">Messages one connection may carry (the strictest static ceiling); null: no ceiling.</param>
/// <param name="CeilingKey">
/// The scope whose connection ceiling applies: the provider (covering its custom domains too) or the custom
/// domain's pool key; null when neither has one.
/// </param>
/// <param name="GlobalCeiling">A maximum number of connections applies to all destinations together.</param>
/// <param name="Lease">
/// The request's connection lease: with ceilings shared by replicas, an idle connection keeps the lease's places
/// (<see cref="RateLimiting.ConnectionLease.TryKeepIdle"/>), and a reused one gives back those it kept.
/// </param>
public sealed record PacedConnection(string PoolKey, int? MaxMessages, string? CeilingKey, bool GlobalCeiling, RateLimiting.ConnectionLease? Lease = null)
{
    /// <summary>Whether an idle connection of <paramref name="poolKey"/> counts against this request's ceilings.</summary>
    public bool SharesCeilingWith(string? poolKey) =>
        GlobalCeiling
        || (CeilingKey is { } key && poolKey is not null
            && (poolKey == key || poolKey.StartsWith(key + "|", StringComparison.Ordinal)));
}

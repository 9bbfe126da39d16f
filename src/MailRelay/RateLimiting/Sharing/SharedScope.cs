namespace MailRelay.RateLimiting.Sharing;

/// <summary>
/// One ceiling kept in Redis: the global one (<c>g</c>), a provider's (<c>p:name</c>) or a custom domain's
/// (<c>d:name</c>), with the values every replica is configured with.
/// </summary>
/// <param name="Key">The scope's part of the Redis key.</param>
/// <param name="Gap">Least time between two slots (delayMs, and for the provider the adaptive delay).</param>
/// <param name="RateCount">At most this many slots in any <paramref name="RateInterval"/>; null = no rate.</param>
/// <param name="RateInterval">The window of <paramref name="RateCount"/>.</param>
/// <param name="MaxConnections">Connections open at once; null = no ceiling.</param>
internal sealed record SharedScope(string Key, TimeSpan Gap, int? RateCount, TimeSpan RateInterval, int? MaxConnections)
{
    /// <summary>True when the scope limits send slots at all.</summary>
    public bool PacesSlots => Gap > TimeSpan.Zero || RateCount is not null;
}

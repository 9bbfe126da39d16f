namespace MailRelay.RateLimiting.Sharing;

/// <summary>
/// The answer to a try to begin a transaction under the replicas' shared ceilings: begun (then <see cref="Recorded"/>
/// is the held record to release when the MAIL FROM has left), or not before <see cref="NotBefore"/> (this replica's clock).
/// </summary>
internal sealed record SharedBegin(bool Begun, DateTimeOffset NotBefore, IReadOnlyList<SharedScope> Scopes, string? Recorded);

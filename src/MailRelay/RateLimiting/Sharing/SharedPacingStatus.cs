namespace MailRelay.RateLimiting.Sharing;

/// <summary>The state of shared pacing for <c>/metrics</c> and <c>/readyz</c>.</summary>
/// <param name="Connected">Calls go to Redis.</param>
/// <param name="DownSince">Since when this replica paces on its share; null while connected.</param>
/// <param name="FallbackSeconds">Seconds spent in fallback since start.</param>
/// <param name="Transitions">Times this replica went into fallback.</param>
/// <param name="ScriptErrors">Scripts that Redis answered with an error, or whose answer could not be read.</param>
/// <param name="Replicas">The replica count of the local share.</param>
public sealed record SharedPacingStatus(bool Connected, DateTimeOffset? DownSince, double FallbackSeconds, long Transitions, long ScriptErrors, int Replicas);

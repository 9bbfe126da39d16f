namespace MailRelay.RateLimiting;

/// <summary>
/// The persisted pacing state (<c>DATA_DIR/pacing/state.json</c>): per provider its adaptive controller and its
/// warm-up count, and the domain → provider pairs learned from MX lookups.
/// </summary>
public sealed record PacingState(
    int FormatVersion,
    DateTimeOffset SavedAt,
    IReadOnlyList<ProviderPacingState> Providers,
    IReadOnlyList<LearnedProvider> Learned)
{
    public const int CurrentFormatVersion = 1;

    public static PacingState Empty(DateTimeOffset savedAt) => new(CurrentFormatVersion, savedAt, [], []);

    /// <summary>The entry for <paramref name="provider"/>, or null.</summary>
    public ProviderPacingState? Find(ProviderKey provider) =>
        Providers.FirstOrDefault(p => string.Equals(p.Provider, provider.Value, StringComparison.Ordinal));

    /// <summary>This state without <paramref name="provider"/>'s entry.</summary>
    public PacingState Without(ProviderKey provider) =>
        this with { Providers = Providers.Where(p => !string.Equals(p.Provider, provider.Value, StringComparison.Ordinal)).ToArray() };
}

namespace MailRelay.Configuration;

/// <summary>
/// IP warm-up: a daily cap per provider from a start date (WARMUP_*). <see cref="Domains"/> names the providers by
/// a domain each (<c>gmail.com</c> stands for <c>google.com</c>); <see cref="AllProviders"/> replaces the list with
/// every provider.
/// </summary>
public sealed record WarmupSettings
{
    /// <summary>The seed's table.</summary>
    public static IReadOnlyList<int> DefaultDailyCaps { get; } = [20, 40, 80, 150, 300, 600, 1000];

    /// <summary>Warm-up off: what the defaults give.</summary>
    public static WarmupSettings Disabled { get; } = new()
    {
        Enabled = false,
        StartDate = null,
        DailyCaps = DefaultDailyCaps,
        Domains = [],
        AllProviders = false,
    };

    /// <summary>WARMUP_ENABLED.</summary>
    public required bool Enabled { get; init; }

    /// <summary>WARMUP_START_DATE (a UTC day); never null when <see cref="Enabled"/>.</summary>
    public required DateOnly? StartDate { get; init; }

    /// <summary>WARMUP_DAILY_CAPS: the cap of day 1, 2, …</summary>
    public required IReadOnlyList<int> DailyCaps { get; init; }

    /// <summary>WARMUP_DOMAINS without <c>*</c>, lower case.</summary>
    public required IReadOnlyList<string> Domains { get; init; }

    /// <summary>WARMUP_DOMAINS contained <c>*</c>: every provider is warmed up.</summary>
    public required bool AllProviders { get; init; }
}

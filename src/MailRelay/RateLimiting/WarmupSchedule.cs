namespace MailRelay.RateLimiting;

/// <summary>
/// A daily cap per provider for a new sending IP: day 1 is <see cref="StartDate"/> (a UTC date), day N allows
/// <c>DailyCaps[N-1]</c> messages; after the last listed day there is no cap. Days start at 00:00 UTC.
/// </summary>
public sealed record WarmupSchedule(DateOnly StartDate, IReadOnlyList<int> DailyCaps)
{
    /// <summary>The seed's table: 20, 40, 80, 150, 300, 600, 1000.</summary>
    public static IReadOnlyList<int> SeedCaps { get; } = [20, 40, 80, 150, 300, 600, 1000];

    /// <summary>The cap for the UTC day containing <paramref name="now"/>; null once warm-up is over.</summary>
    public int? CapOn(DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(DailyCaps);
        var day = DateOnly.FromDateTime(now.UtcDateTime).DayNumber - StartDate.DayNumber;

        // Before the start date the first day's cap applies: warm-up is never skipped by a clock set early.
        var index = Math.Max(day, 0);
        return index < DailyCaps.Count ? DailyCaps[index] : null;
    }

    /// <summary>00:00 UTC after <paramref name="now"/>.</summary>
    public static DateTimeOffset NextDayStart(DateTimeOffset now)
    {
        var date = DateOnly.FromDateTime(now.UtcDateTime).AddDays(1);
        return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
    }
}

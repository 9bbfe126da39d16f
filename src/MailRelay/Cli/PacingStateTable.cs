using System.Globalization;
using MailRelay.RateLimiting;

namespace MailRelay.Cli;

/// <summary>The table <c>rate show</c> prints: one provider a line.</summary>
internal static class PacingStateTable
{
    private static readonly string[] Headers = ["PROVIDER", "DELAY", "CIRCUIT", "OPEN-UNTIL", "TRIPS", "RATE-LIMITED", "PACED", "SENDS", "WARM-UP"];

    public static void Write(PacingState state, WarmupSchedule? warmup, DateTimeOffset now, TextWriter output)
    {
        if (state.Providers.Count == 0)
        {
            output.WriteLine("no provider has pacing state");
            return;
        }

        var rows = new List<string[]> { Headers };
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        foreach (var provider in state.Providers.OrderBy(p => p.Provider, StringComparer.Ordinal))
        {
            rows.Add(Row(provider, warmup, today, now));
        }

        var widths = Enumerable.Range(0, Headers.Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    private static string[] Row(ProviderPacingState provider, WarmupSchedule? warmup, DateOnly today, DateTimeOffset now)
    {
        var adaptive = provider.Adaptive;
        var circuit = adaptive?.OpenUntil switch
        {
            null => "closed",
            { } until when now < until => "open",
            _ => "half-open",
        };
        return
        [
            provider.Provider,
            adaptive is null ? "-" : Seconds(adaptive.Delay),
            adaptive is null ? "-" : circuit,
            adaptive?.OpenUntil is { } open ? open.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-",
            Count(adaptive?.Trips),
            Count(adaptive?.RateLimitedReplies),
            Count(adaptive?.PacedWaits),
            Count(adaptive?.Sends),
            Warmup(provider.Warmup, warmup, today, now),
        ];
    }

    private static string Warmup(WarmupCounterState? counted, WarmupSchedule? schedule, DateOnly today, DateTimeOffset now)
    {
        if (counted is null)
        {
            return "-";
        }

        var sent = counted.Day == today ? counted.Sent : 0;
        var cap = schedule?.CapOn(now);
        return cap is { } c
            ? string.Create(CultureInfo.InvariantCulture, $"{sent}/{c} today")
            : string.Create(CultureInfo.InvariantCulture, $"{sent} today, no cap");
    }

    private static string Seconds(TimeSpan delay) => string.Create(CultureInfo.InvariantCulture, $"{delay.TotalSeconds:0.###}s");

    private static string Count(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";
}

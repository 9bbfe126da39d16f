using System.Globalization;
using System.Text.Json;
using MailRelay.Configuration.Syntax;
using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>Reads the static rate limits and the adaptive pacing tables.</summary>
internal static class PacingSettingsReader
{
    public static RateLimitSettings ReadRateLimit(EnvironmentReader reader)
    {
        var settings = new RateLimitSettings
        {
            Enabled = reader.ReadBoolean(N.RateLimitEnabled),
            Global = reader.Read(N.RateLimitGlobal, Table(JsonTableSyntax.RateLimitFields)),
            Domains = reader.Read(N.RateLimitDomains, DomainTable(JsonTableSyntax.RateLimitFields)),
            CustomDomains = reader.Read(N.RateLimitCustomDomains, DomainTable(JsonTableSyntax.RateLimitFields)),
        };
        if (settings.Enabled && IsEmpty(settings.Global) && IsEmpty(settings.Domains) && IsEmpty(settings.CustomDomains))
        {
            reader.Warn(
                N.RateLimitEnabled,
                $"rate limiting is on but {N.RateLimitGlobal}, {N.RateLimitDomains} and {N.RateLimitCustomDomains} set no limits.");
        }

        return settings;
    }

    public static AdaptiveRateSettings ReadAdaptiveRate(EnvironmentReader reader) => new()
    {
        Enabled = reader.ReadBoolean(N.AdaptiveRateEnabled),
        Defaults = reader.Read(N.AdaptiveRateDefaults, Table(JsonTableSyntax.AdaptiveRateFields)),
        Domains = reader.Read(N.AdaptiveRateDomains, DomainTable(JsonTableSyntax.AdaptiveRateDomainFields)),
    };

    /// <summary>WARMUP_*: the start date is required once warm-up is on, and only then.</summary>
    public static WarmupSettings ReadWarmup(EnvironmentReader reader)
    {
        var enabled = reader.ReadBoolean(N.WarmupEnabled);
        var caps = reader.Read<IReadOnlyList<int>>(N.WarmupDailyCaps, ParseCaps);
        var (domains, all) = reader.Read<(IReadOnlyList<string>, bool)>(N.WarmupDomains, ParseWarmupDomains);

        var given = reader.Given(N.WarmupStartDate);
        reader.Resolve(N.WarmupStartDate, given?.Trim() ?? string.Empty, fromDefault: given is null);
        DateOnly? start = null;
        if (given is not null)
        {
            if (DateOnly.TryParseExact(given.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                start = date;
            }
            else
            {
                reader.Error(N.WarmupStartDate, $"'{given}' is not a date YYYY-MM-DD.");
            }
        }
        else if (enabled)
        {
            reader.Error(N.WarmupStartDate, $"is required when {N.WarmupEnabled} is true: set the UTC date (YYYY-MM-DD) of day 1 of the warm-up.");
        }

        return new WarmupSettings { Enabled = enabled, StartDate = start, DailyCaps = caps, Domains = domains, AllProviders = all };
    }

    private static bool ParseCaps(string text, out IReadOnlyList<int> caps, out string error)
    {
        var values = new List<int>();
        caps = values;
        error = string.Empty;
        foreach (var entry in ListSyntax.Split(text))
        {
            if (!int.TryParse(entry, NumberStyles.None, CultureInfo.InvariantCulture, out var cap) || cap < 1)
            {
                error = $"'{entry}' is not a whole number of at least 1.";
                return false;
            }

            values.Add(cap);
        }

        if (values.Count == 0)
        {
            error = "lists no daily cap.";
            return false;
        }

        return true;
    }

    private static bool ParseWarmupDomains(string text, out (IReadOnlyList<string>, bool) value, out string error)
    {
        var domains = new List<string>();
        var all = false;
        value = (domains, false);
        error = string.Empty;
        foreach (var entry in ListSyntax.Split(text))
        {
            if (entry == "*")
            {
                all = true;
                continue;
            }

            if (!DomainNameSyntax.TryParse(entry, requireDot: true, out var domain, out error))
            {
                return false;
            }

            if (!domains.Contains(domain, StringComparer.Ordinal))
            {
                domains.Add(domain);
            }
        }

        if (domains.Count == 0 && !all)
        {
            error = "lists no domain (use * for every provider).";
            return false;
        }

        value = (domains, all);
        return true;
    }

    private static ValueParser<JsonElement> Table(IReadOnlyDictionary<string, JsonFieldKind> fields) =>
        (string text, out JsonElement value, out string error) => JsonTableSyntax.TryParseObject(text, fields, out value, out error);

    private static ValueParser<JsonElement> DomainTable(IReadOnlyDictionary<string, JsonFieldKind> fields) =>
        (string text, out JsonElement value, out string error) => JsonTableSyntax.TryParseDomainTable(text, fields, out value, out error);

    private static bool IsEmpty(JsonElement table) => !table.EnumerateObject().Any();
}

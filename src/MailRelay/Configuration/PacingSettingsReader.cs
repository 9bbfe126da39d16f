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
        };
        if (settings.Enabled && IsEmpty(settings.Global) && IsEmpty(settings.Domains))
        {
            reader.Warn(N.RateLimitEnabled, $"rate limiting is on but {N.RateLimitGlobal} and {N.RateLimitDomains} set no limits.");
        }

        return settings;
    }

    public static AdaptiveRateSettings ReadAdaptiveRate(EnvironmentReader reader) => new()
    {
        Enabled = reader.ReadBoolean(N.AdaptiveRateEnabled),
        Defaults = reader.Read(N.AdaptiveRateDefaults, Table(JsonTableSyntax.AdaptiveRateFields)),
        Domains = reader.Read(N.AdaptiveRateDomains, DomainTable(JsonTableSyntax.AdaptiveRateDomainFields)),
    };

    private static ValueParser<JsonElement> Table(IReadOnlyDictionary<string, JsonFieldKind> fields) =>
        (string text, out JsonElement value, out string error) => JsonTableSyntax.TryParseObject(text, fields, out value, out error);

    private static ValueParser<JsonElement> DomainTable(IReadOnlyDictionary<string, JsonFieldKind> fields) =>
        (string text, out JsonElement value, out string error) => JsonTableSyntax.TryParseDomainTable(text, fields, out value, out error);

    private static bool IsEmpty(JsonElement table) => !table.EnumerateObject().Any();
}

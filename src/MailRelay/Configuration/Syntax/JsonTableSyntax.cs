using System.Globalization;
using System.Text.Json;

namespace MailRelay.Configuration.Syntax;

/// <summary>
/// JSON settings tables (rate limits, adaptive pacing): an object of known keys, or an object of such objects
/// keyed by domain. Unknown keys are errors, so a typo never silently turns a limit off.
/// </summary>
public static class JsonTableSyntax
{
    public static IReadOnlyDictionary<string, JsonFieldKind> RateLimitFields { get; } = new Dictionary<string, JsonFieldKind>
    {
        ["enabled"] = JsonFieldKind.Boolean,
        ["maxConnections"] = JsonFieldKind.PositiveInteger,
        ["maxPerConnection"] = JsonFieldKind.PositiveInteger,
        ["rate"] = JsonFieldKind.Rate,
        ["delayMs"] = JsonFieldKind.NonNegativeInteger,
    };

    public static IReadOnlyDictionary<string, JsonFieldKind> AdaptiveRateFields { get; } = new Dictionary<string, JsonFieldKind>
    {
        ["minDelay"] = JsonFieldKind.NonNegativeInteger,
        ["maxDelay"] = JsonFieldKind.NonNegativeInteger,
        ["initialDelay"] = JsonFieldKind.NonNegativeInteger,
        ["backoffMultiplier"] = JsonFieldKind.Multiplier,
        ["recoveryRate"] = JsonFieldKind.Fraction,
        ["successThreshold"] = JsonFieldKind.PositiveInteger,
        ["circuitBreakerThreshold"] = JsonFieldKind.PositiveInteger,
        ["circuitBreakerDuration"] = JsonFieldKind.PositiveInteger,
    };

    public static IReadOnlyDictionary<string, JsonFieldKind> AdaptiveRateDomainFields { get; } =
        AdaptiveRateFields.Append(new("enabled", JsonFieldKind.Boolean)).ToDictionary();

    /// <summary>A JSON object whose keys are all in <paramref name="fields"/>.</summary>
    public static bool TryParseObject(string text, IReadOnlyDictionary<string, JsonFieldKind> fields, out JsonElement value, out string error)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!TryParseRoot(text, out value, out error))
        {
            return false;
        }

        var problems = new List<string>();
        CheckFields(value, fields, string.Empty, problems);
        return Finish(problems, out error);
    }

    /// <summary>A JSON object of domain → object whose keys are all in <paramref name="fields"/>.</summary>
    public static bool TryParseDomainTable(string text, IReadOnlyDictionary<string, JsonFieldKind> fields, out JsonElement value, out string error)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!TryParseRoot(text, out value, out error))
        {
            return false;
        }

        var problems = new List<string>();
        var domains = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in value.EnumerateObject())
        {
            if (!DomainNameSyntax.TryParse(entry.Name, requireDot: false, out _, out var domainError))
            {
                problems.Add(domainError);
            }
            else if (!domains.Add(entry.Name))
            {
                problems.Add($"domain '{entry.Name}' appears twice");
            }

            if (entry.Value.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"'{entry.Name}' must be a JSON object");
                continue;
            }

            CheckFields(entry.Value, fields, entry.Name + ".", problems);
        }

        return Finish(problems, out error);
    }

    /// <summary>Parses <c>"N/duration"</c>.</summary>
    public static bool TryParseRate(string text, out int count, out TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(text);
        count = 0;
        interval = TimeSpan.Zero;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash > 0
            && int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out count)
            && count > 0
            && DurationSyntax.TryParsePositive(text[(slash + 1)..], out interval, out _);
    }

    private static bool TryParseRoot(string text, out JsonElement value, out string error)
    {
        value = default;
        error = string.Empty;
        try
        {
            using var document = JsonDocument.Parse(text);
            value = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            error = $"not valid JSON ({exception.Message})";
            return false;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            error = "must be a JSON object ({...})";
            return false;
        }

        return true;
    }

    private static void CheckFields(JsonElement table, IReadOnlyDictionary<string, JsonFieldKind> fields, string path, List<string> problems)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in table.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                problems.Add($"'{path}{property.Name}' appears twice");
            }

            if (!fields.TryGetValue(property.Name, out var kind))
            {
                problems.Add($"unknown key '{path}{property.Name}' (known: {string.Join(", ", fields.Keys)})");
            }
            else if (!Holds(property.Value, kind))
            {
                problems.Add($"'{path}{property.Name}' must be {Describe(kind)}");
            }
        }
    }

    private static bool Holds(JsonElement value, JsonFieldKind kind) => kind switch
    {
        JsonFieldKind.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        JsonFieldKind.PositiveInteger => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= 1,
        JsonFieldKind.NonNegativeInteger => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= 0,
        JsonFieldKind.Multiplier => value.ValueKind == JsonValueKind.Number && value.GetDouble() is >= 1 and <= 1000,
        JsonFieldKind.Fraction => value.ValueKind == JsonValueKind.Number && value.GetDouble() is > 0 and <= 1,
        JsonFieldKind.Rate => value.ValueKind == JsonValueKind.String && TryParseRate(value.GetString()!, out _, out _),
        _ => false,
    };

    private static string Describe(JsonFieldKind kind) => kind switch
    {
        JsonFieldKind.Boolean => "true or false",
        JsonFieldKind.PositiveInteger => "a whole number of at least 1",
        JsonFieldKind.NonNegativeInteger => "a whole number of at least 0",
        JsonFieldKind.Multiplier => "a number from 1 to 1000",
        JsonFieldKind.Fraction => "a number more than 0 and at most 1",
        JsonFieldKind.Rate => "a string \"N/duration\" such as \"1/20s\"",
        _ => kind.ToString(),
    };

    private static bool Finish(List<string> problems, out string error)
    {
        error = string.Join("; ", problems);
        return problems.Count == 0;
    }
}

using System.Text.Json;
using MailRelay.Policy.Senders;
using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>Reads the sender rules and the header hygiene settings; every regular expression is compiled here, at start.</summary>
internal static class SenderSettingsReader
{
    public static SenderSettings Read(EnvironmentReader reader, IReadOnlyList<MailDomain> domains)
    {
        var enabled = reader.ReadBoolean(N.SenderAccessEnabled);
        var allowed = reader.Read<SenderList>(N.SenderAllowedFrom, SenderList.TryParse, computedDefault: string.Empty);
        var forbidden = reader.Read<SenderList>(N.SenderForbiddenFrom, SenderList.TryParse, computedDefault: string.Empty);
        var checkFromHeader = reader.ReadBoolean(N.SenderCheckFromHeader);
        var constrain = reader.ReadBoolean(N.SmtpAuthConstrainSender);
        var authSenders = reader.Read<IReadOnlyDictionary<string, SenderList>>(N.SmtpAuthSenders, TryParseAuthSenders);

        if (enabled && allowed.IsEmpty && domains.Count == 0 && !reader.HasError(N.SenderAllowedFrom) && !reader.HasError(N.MailDomains))
        {
            reader.Error(N.SenderAllowedFrom, $"is empty and {N.MailDomains} names no domain, so with {N.SenderAccessEnabled}=true every sender would be refused; list the allowed senders or set {N.MailDomains}.");
        }

        if (!enabled && (!allowed.IsEmpty || !forbidden.IsEmpty))
        {
            reader.Warn(N.SenderAccessEnabled, $"is false, so {N.SenderAllowedFrom} and {N.SenderForbiddenFrom} have no effect.");
        }

        return new SenderSettings
        {
            AccessEnabled = enabled,
            AllowedFrom = allowed,
            ForbiddenFrom = forbidden,
            CheckFromHeader = checkFromHeader,
            ConstrainAuthSender = constrain,
            AuthSenders = authSenders,
        };
    }

    public static OutboundHeaderSettings ReadOutbound(EnvironmentReader reader)
    {
        var hide = reader.ReadBoolean(N.OutboundHideClient);
        var strip = reader.Read<IReadOnlyList<string>>(N.OutboundStripHeaders, TryParseHeaderNames, computedDefault: string.Empty);
        return new OutboundHeaderSettings(hide, strip);
    }

    /// <summary>JSON object: user → array of entries, or one string in the comma syntax.</summary>
    internal static bool TryParseAuthSenders(string text, out IReadOnlyDictionary<string, SenderList> value, out string error)
    {
        var map = new Dictionary<string, SenderList>(StringComparer.Ordinal);
        value = map;
        error = string.Empty;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException exception)
        {
            error = $"is not valid JSON: {exception.Message}";
            return false;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "must be a JSON object of user → list of senders, e.g. {\"app@example.com\": [\"example.org\"]}.";
                return false;
            }

            foreach (var user in document.RootElement.EnumerateObject())
            {
                var ok = user.Value.ValueKind switch
                {
                    JsonValueKind.String => SenderList.TryParse(user.Value.GetString()!, out var list, out error) && map.TryAdd(user.Name, list),
                    JsonValueKind.Array when user.Value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
                        SenderList.TryParse(user.Value.EnumerateArray().Select(e => e.GetString()!), out var items, out error) && map.TryAdd(user.Name, items),
                    _ => false,
                };
                if (!ok)
                {
                    error = $"user '{user.Name}': " + (error.Length > 0 ? error : "the senders must be an array of strings, or one string.");
                    return false;
                }
            }
        }

        return true;
    }

    private static bool TryParseHeaderNames(string text, out IReadOnlyList<string> value, out string error)
    {
        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        value = names;
        error = string.Empty;
        var bad = names.FirstOrDefault(n => !n.All(c => c is > ' ' and < (char)127 and not ':'));
        if (bad is not null)
        {
            error = $"'{bad}' is not a header field name (printable ASCII without spaces or colons).";
            return false;
        }

        return true;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailRelay.Events;

namespace MailRelay.Webhooks;

/// <summary>
/// WEBHOOK_ENDPOINTS: a JSON array of <c>{"name", "url", "events", "headers"}</c>, as the chart's
/// <c>webhooks.endpoints</c> renders it. Every problem of every entry is reported together; unknown keys are refused
/// so that a typo (<c>"event"</c>) never silently sends every type.
/// </summary>
public static partial class WebhookEndpointSyntax
{
    /// <summary>Headers the relay sets itself on every request; an endpoint may not replace them.</summary>
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        WebhookHeaders.EventId, WebhookHeaders.EventType, WebhookHeaders.Signature,
        "Content-Type", "Content-Length", "Host", "Transfer-Encoding", "Connection",
    };

    public static bool TryParse(string text, out IReadOnlyList<WebhookEndpoint> endpoints, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        endpoints = [];
        error = string.Empty;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException exception)
        {
            error = $"is not JSON: {exception.Message}";
            return false;
        }

        if (root is not JsonArray array)
        {
            error = "must be a JSON array of {\"name\", \"url\", \"events\", \"headers\"} objects.";
            return false;
        }

        var problems = new List<string>();
        var parsed = new List<WebhookEndpoint>();
        for (var i = 0; i < array.Count; i++)
        {
            if (ParseEntry(array[i], $"entry {i + 1}", problems) is { } endpoint)
            {
                if (parsed.Any(e => string.Equals(e.Name, endpoint.Name, StringComparison.Ordinal)))
                {
                    problems.Add($"entry {i + 1}: the name '{endpoint.Name}' is used twice (it names the endpoint's position in the event outbox)");
                }
                else
                {
                    parsed.Add(endpoint);
                }
            }
        }

        if (problems.Count > 0)
        {
            error = string.Join("; ", problems) + ".";
            return false;
        }

        endpoints = parsed;
        return true;
    }

    /// <summary>The value with every header value replaced by <c>********</c>, for <c>config check</c>.</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            if (JsonNode.Parse(text) is not JsonArray array)
            {
                return text;
            }

            foreach (var entry in array.OfType<JsonObject>())
            {
                if (entry["headers"] is JsonObject headers)
                {
                    foreach (var name in headers.Select(h => h.Key).ToList())
                    {
                        headers[name] = Configuration.ConfigurationReport.Redacted;
                    }
                }
            }

            return array.ToJsonString();
        }
        catch (JsonException)
        {
            // Unparsable: its error says so, and nothing of it is shown in case a credential is in it.
            return Configuration.ConfigurationReport.Redacted;
        }
    }

    private static WebhookEndpoint? ParseEntry(JsonNode? node, string where, List<string> problems)
    {
        if (node is not JsonObject entry)
        {
            problems.Add($"{where}: must be an object with name and url");
            return null;
        }

        var before = problems.Count;
        foreach (var (key, _) in entry)
        {
            if (key is not ("name" or "url" or "events" or "headers"))
            {
                problems.Add($"{where}: unknown key '{key}' (name, url, events, headers)");
            }
        }

        var name = StringOf(entry["name"]);
        if (name is null || !NamePattern().IsMatch(name))
        {
            problems.Add($"{where}: name must be 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit");
        }

        where = name is null ? where : $"{where} ({name})";
        var url = ParseUrl(StringOf(entry["url"]), where, problems);
        var events = ParseEvents(entry["events"], where, problems);
        var headers = ParseHeaders(entry["headers"], where, problems);
        return problems.Count == before ? new WebhookEndpoint(name!, url!, events, headers) : null;
    }

    private static Uri? ParseUrl(string? text, string where, List<string> problems)
    {
        if (text is null || !Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add($"{where}: url must be an absolute http:// or https:// URL");
            return null;
        }

        if (url.UserInfo.Length > 0)
        {
            problems.Add($"{where}: url must not carry a user name or password; send credentials in headers (e.g. Authorization)");
            return null;
        }

        return url;
    }

    private static HashSet<string>? ParseEvents(JsonNode? node, string where, List<string> problems)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonArray array || array.Count == 0)
        {
            problems.Add($"{where}: events must be a non-empty array of event types ({string.Join(", ", RelayEventTypes.All)}); leave it out for all");
            return null;
        }

        var events = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in array)
        {
            var type = StringOf(item);
            if (type is null || !RelayEventTypes.All.Contains(type))
            {
                problems.Add($"{where}: '{item?.ToJsonString()}' is not an event type ({string.Join(", ", RelayEventTypes.All)})");
            }
            else
            {
                events.Add(type);
            }
        }

        return events;
    }

    private static List<KeyValuePair<string, string>> ParseHeaders(JsonNode? node, string where, List<string> problems)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (node is null)
        {
            return headers;
        }

        if (node is not JsonObject table)
        {
            problems.Add($"{where}: headers must be an object of header name to value");
            return headers;
        }

        foreach (var (name, valueNode) in table)
        {
            var value = StringOf(valueNode);
            if (!HeaderNamePattern().IsMatch(name))
            {
                problems.Add($"{where}: '{name}' is not a header name");
            }
            else if (ReservedHeaders.Contains(name))
            {
                problems.Add($"{where}: the header {name} is set by the relay itself");
            }
            else if (value is null || value.Any(c => c is '\r' or '\n' or '\0'))
            {
                // The value is not quoted: it may be a credential.
                problems.Add($"{where}: the value of header {name} must be a string on one line");
            }
            else
            {
                headers.Add(new KeyValuePair<string, string>(name, value));
            }
        }

        return headers;
    }

    private static string? StringOf(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex NamePattern();

    // RFC 9110 token characters.
    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")]
    private static partial Regex HeaderNamePattern();
}

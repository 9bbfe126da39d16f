using System.Text.Json;

namespace MailRelay.Configuration.Syntax;

/// <summary><c>DELIVERY_ROUTES</c>: a JSON object, domain → <c>"host[:port]"</c> (port 25 when omitted).</summary>
public static class DeliveryRoutesSyntax
{
    public static bool TryParse(string text, out IReadOnlyDictionary<string, DeliveryRoute> routes, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new Dictionary<string, DeliveryRoute>(StringComparer.Ordinal);
        routes = result;
        var problems = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "must be a JSON object such as {\"example.com\": \"smtp.example.net:25\"}";
                return false;
            }

            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (!DomainNameSyntax.TryParse(entry.Name, requireDot: false, out var domain, out var domainError))
                {
                    problems.Add(domainError);
                    continue;
                }

                if (entry.Value.ValueKind != JsonValueKind.String)
                {
                    problems.Add($"the route for '{domain}' must be a string \"host:port\"");
                    continue;
                }

                if (!EndpointSyntax.TryParseHostAndPort(entry.Value.GetString()!, 25, out var host, out var port, out var hostError))
                {
                    problems.Add($"the route for '{domain}': {hostError}");
                    continue;
                }

                if (!result.TryAdd(domain, new DeliveryRoute(host, port)))
                {
                    problems.Add($"domain '{domain}' appears twice");
                }
            }
        }
        catch (JsonException exception)
        {
            error = $"not valid JSON ({exception.Message})";
            return false;
        }

        error = string.Join("; ", problems);
        return problems.Count == 0;
    }
}

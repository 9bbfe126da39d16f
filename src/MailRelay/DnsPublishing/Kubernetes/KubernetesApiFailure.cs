using System.Net;
using System.Text.Json;
using k8s.Autorest;

namespace MailRelay.DnsPublishing.Kubernetes;

/// <summary>
/// Turns what the Kubernetes client throws into <see cref="DnsProviderException"/>s whose message says what was
/// attempted and what the API server answered, and, for the answers an operator can fix (403, 404 on a custom
/// resource), how. The bearer token is never part of either.
/// </summary>
internal static class KubernetesApiFailure
{
    public static bool IsStatus(Exception exception, HttpStatusCode status) =>
        exception is HttpOperationException { Response: { } response } && response.StatusCode == status;

    /// <summary>True for the failures that mean the API could not be asked or did not answer sensibly.</summary>
    public static bool IsApiFailure(Exception exception) =>
        exception is HttpOperationException or HttpRequestException or JsonException
            || (exception is TaskCanceledException { InnerException: TimeoutException });

    public static DnsProviderException ToProviderException(string action, Exception exception, string? hint = null)
    {
        var answer = exception switch
        {
            HttpOperationException { Response: { } response } => $"HTTP {(int)response.StatusCode} {StatusMessage(response.Content)}".TrimEnd(),
            _ => exception.Message,
        };
        if (hint is null && exception is HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized })
        {
            hint = "the relay's ServiceAccount lacks the permission (see the chart's Role) or its token was refused";
        }

        return new DnsProviderException(hint is null ? $"{action}: {answer}" : $"{action}: {answer}; {hint}", exception);
    }

    /// <summary>The <c>message</c> of a Kubernetes Status body, or the start of a body that is not one.</summary>
    private static string StatusMessage(string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            return "";
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString() ?? "";
            }
        }
        catch (JsonException)
        {
            // Not a Status object (a proxy's page, "404 page not found"): show its start.
        }

        var text = content.Trim();
        return text.Length <= 200 ? text : text[..200] + "…";
    }
}

using MailRelay.Webhooks;

namespace MailRelay.Configuration;

/// <summary>
/// WEBHOOK_*: where delivery events are POSTed from the outbox and how hard they are pushed. Not a record, so that no
/// generated <c>ToString</c> prints the secret or a header value.
/// </summary>
public sealed class WebhookSettings
{
    public static WebhookSettings None { get; } = new([], null, TimeSpan.FromSeconds(5), 10, TimeSpan.FromHours(72));

    public WebhookSettings(IReadOnlyList<WebhookEndpoint> endpoints, string? secret, TimeSpan timeout, int maxInFlight, TimeSpan maxAge)
    {
        Endpoints = endpoints;
        Secret = secret;
        Timeout = timeout;
        MaxInFlight = maxInFlight;
        MaxAge = maxAge;
    }

    /// <summary>WEBHOOK_ENDPOINTS; empty = no webhook.</summary>
    public IReadOnlyList<WebhookEndpoint> Endpoints { get; }

    /// <summary>WEBHOOK_SECRET or the content of WEBHOOK_SECRET_FILE; set whenever there is an endpoint. Never logged.</summary>
    public string? Secret { get; }

    /// <summary>WEBHOOK_TIMEOUT: one request, from connecting to the end of the response headers.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>WEBHOOK_MAX_IN_FLIGHT: requests at once per endpoint.</summary>
    public int MaxInFlight { get; }

    /// <summary>WEBHOOK_MAX_AGE: an event older than this when its next attempt is due is dropped (and counted).</summary>
    public TimeSpan MaxAge { get; }

    public bool Enabled => Endpoints.Count > 0;

    public override string ToString() =>
        $"WebhookSettings {{ Endpoints = [{string.Join(", ", Endpoints)}], Secret = {(Secret is null ? "none" : ConfigurationReport.Redacted)}, Timeout = {Timeout}, MaxInFlight = {MaxInFlight}, MaxAge = {MaxAge} }}";
}

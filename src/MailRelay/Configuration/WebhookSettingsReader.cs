using MailRelay.Configuration.Syntax;
using MailRelay.Webhooks;
using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>Reads WEBHOOK_*: the endpoints, the signing secret (inline or a file), the timeout, the in-flight bound and the age limit.</summary>
internal static class WebhookSettingsReader
{
    /// <summary>An HMAC key shorter than this is guessable; the docs suggest 32 random bytes (openssl rand -hex 32).</summary>
    internal const int MinSecretLength = 16;

    public static WebhookSettings Read(EnvironmentReader reader)
    {
        var endpoints = reader.Read<IReadOnlyList<WebhookEndpoint>>(N.WebhookEndpoints, WebhookEndpointSyntax.TryParse);
        if (reader.Given(N.WebhookEndpoints) is { } text)
        {
            // Header values are often credentials (Authorization): config check prints the endpoints without them.
            reader.Resolve(N.WebhookEndpoints, WebhookEndpointSyntax.Redact(text), fromDefault: false);
        }

        var secret = SecretSources.Read(reader, N.WebhookSecret, N.WebhookSecretFile);
        var secretVariable = reader.Given(N.WebhookSecretFile) is null ? N.WebhookSecret : N.WebhookSecretFile;
        if (secret is not null && secret.Length < MinSecretLength)
        {
            reader.Error(secretVariable, $"is {secret.Length} characters long; use at least {MinSecretLength} random characters (e.g. openssl rand -hex 32).");
        }
        else if (secret is null && endpoints.Count > 0 && !reader.HasError(N.WebhookSecret) && !reader.HasError(N.WebhookSecretFile))
        {
            reader.Error(N.WebhookSecret, $"is required when {N.WebhookEndpoints} lists an endpoint: every request is signed with it (or set {N.WebhookSecretFile}).");
        }
        else if (secret is not null && endpoints.Count == 0 && !reader.HasError(N.WebhookEndpoints))
        {
            reader.Warn(secretVariable, $"is set, but {N.WebhookEndpoints} lists no endpoint, so it has no effect.");
        }

        var timeout = reader.Read<TimeSpan>(N.WebhookTimeout, (string value, out TimeSpan result, out string error) =>
            Within(value, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5), "100ms", "5m", out result, out error));
        var maxInFlight = reader.ReadInteger(N.WebhookMaxInFlight, 1, 1000);
        var maxAge = reader.Read<TimeSpan>(N.WebhookMaxAge, (string value, out TimeSpan result, out string error) =>
            Within(value, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30), "1m", "30d", out result, out error));
        return new WebhookSettings(endpoints, secret, timeout, maxInFlight, maxAge);
    }

    private static bool Within(string text, TimeSpan min, TimeSpan max, string minText, string maxText, out TimeSpan value, out string error)
    {
        if (!DurationSyntax.TryParse(text, out value, out error))
        {
            return false;
        }

        if (value < min || value > max)
        {
            error = $"'{text}' is outside {minText} to {maxText}.";
            return false;
        }

        return true;
    }
}

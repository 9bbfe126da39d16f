using MailRelay.Configuration.Syntax;
using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>Reads BOUNCE_* and SUPPRESS_AFTER_HARD_BOUNCE; a VERP return path without its secret stops the daemon at start.</summary>
internal static class BounceSettingsReader
{
    public static BounceSettings Read(EnvironmentReader reader)
    {
        var verp = reader.ReadBoolean(N.BounceVerpEnabled);
        var useSenderDomain = reader.ReadBoolean(N.BounceUseSenderDomain);
        var secret = SecretSources.Read(reader, N.BounceHmacSecret, N.BounceHmacSecretFile);
        var maxAge = reader.ReadPositiveDuration(N.BounceMaxAge);
        var suppress = reader.Read<TimeSpan?>(N.SuppressAfterHardBounce, (string text, out TimeSpan? value, out string error) =>
        {
            if (string.Equals(text.Trim(), "off", StringComparison.OrdinalIgnoreCase))
            {
                value = null;
                error = string.Empty;
                return true;
            }

            var parsed = DurationSyntax.TryParsePositive(text, out var duration, out error);
            value = parsed ? duration : null;
            if (!parsed)
            {
                error += " Or write off.";
            }

            return parsed;
        });

        var secretVariable = reader.Given(N.BounceHmacSecretFile) is null ? N.BounceHmacSecret : N.BounceHmacSecretFile;
        if (secret is not null && secret.Length < BounceSettings.MinSecretLength)
        {
            reader.Error(secretVariable, $"is {secret.Length} characters long; use at least {BounceSettings.MinSecretLength} (e.g. the output of openssl rand -hex 32).");
            secret = null;
        }
        else if (verp && secret is null && !reader.HasError(N.BounceHmacSecret) && !reader.HasError(N.BounceHmacSecretFile))
        {
            reader.Error(N.BounceHmacSecret, $"must be set (or {N.BounceHmacSecretFile}) when {N.BounceVerpEnabled} is true: it signs the return paths, so forged bounces can be told apart.");
        }

        return new BounceSettings(verp, useSenderDomain, secret, maxAge, suppress);
    }
}

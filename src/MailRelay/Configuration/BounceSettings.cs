namespace MailRelay.Configuration;

/// <summary>BOUNCE_* and SUPPRESS_*: VERP return paths and the suppression list (docs/bounces.md).</summary>
/// <param name="VerpEnabled">BOUNCE_VERP_ENABLED: relayed mail gets a <c>bounce+TOKEN@domain</c> return path.</param>
/// <param name="UseSenderDomain">BOUNCE_USE_SENDER_DOMAIN: the sender's domain when it is one of MAIL_DOMAINS.</param>
/// <param name="HmacSecret">BOUNCE_HMAC_SECRET (or its file), UTF-8; null when not given.</param>
/// <param name="MaxAge">BOUNCE_MAX_AGE: how long a bounce to a return path is accepted after it was issued.</param>
/// <param name="SuppressAfterHardBounce">SUPPRESS_AFTER_HARD_BOUNCE: how long a recipient is refused; null = off.</param>
public sealed record BounceSettings(
    bool VerpEnabled,
    bool UseSenderDomain,
    string? HmacSecret,
    TimeSpan MaxAge,
    TimeSpan? SuppressAfterHardBounce)
{
    /// <summary>Everything off (the defaults).</summary>
    public static BounceSettings Off { get; } = new(false, true, null, TimeSpan.FromDays(7), null);

    /// <summary>Fewest characters BOUNCE_HMAC_SECRET may have (e.g. <c>openssl rand -hex 16</c> gives 32).</summary>
    public const int MinSecretLength = 32;

    public override string ToString() =>
        $"BounceSettings {{ VerpEnabled = {VerpEnabled}, UseSenderDomain = {UseSenderDomain}, HmacSecret = {(HmacSecret is null ? "none" : ConfigurationReport.Redacted)}, MaxAge = {MaxAge}, SuppressAfterHardBounce = {SuppressAfterHardBounce} }}";
}

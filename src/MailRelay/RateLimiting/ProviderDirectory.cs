using System.Collections.Frozen;

namespace MailRelay.RateLimiting;

/// <summary>
/// What the public suffix rules alone cannot tell: providers whose MX hosts live under a different registrable
/// domain than their brand, and consumer mail domains whose provider is known before any MX lookup.
/// </summary>
internal static class ProviderDirectory
{
    /// <summary>MX registrable domain → provider key. Yahoo's and AOL's MX hosts are under yahoodns.net.</summary>
    public static FrozenDictionary<string, string> MxAliases { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["yahoodns.net"] = "yahoo.com",
        ["googlemail.com"] = "google.com",
        ["hotmail.com"] = "outlook.com",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Exact consumer mail domains → provider key (the key their MX hosts normalise to).</summary>
    public static FrozenDictionary<string, string> ConsumerDomains { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["gmail.com"] = "google.com",
        ["googlemail.com"] = "google.com",
        ["outlook.com"] = "outlook.com",
        ["msn.com"] = "outlook.com",
        ["passport.com"] = "outlook.com",
        ["ymail.com"] = "yahoo.com",
        ["rocketmail.com"] = "yahoo.com",
        ["aol.com"] = "yahoo.com",
        ["aim.com"] = "yahoo.com",
        ["icloud.com"] = "icloud.com",
        ["me.com"] = "icloud.com",
        ["mac.com"] = "icloud.com",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Brand labels registered under many public suffixes (hotmail.co.uk, live.fr, yahoo.com.au): the first label of
    /// the registrable domain → provider key.
    /// </summary>
    public static FrozenDictionary<string, string> ConsumerBrands { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["hotmail"] = "outlook.com",
        ["live"] = "outlook.com",
        ["outlook"] = "outlook.com",
        ["windowslive"] = "outlook.com",
        ["yahoo"] = "yahoo.com",
        ["aol"] = "yahoo.com",
        ["gmail"] = "google.com",
    }.ToFrozenDictionary(StringComparer.Ordinal);
}

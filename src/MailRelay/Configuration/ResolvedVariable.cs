namespace MailRelay.Configuration;

/// <summary>
/// The value a variable resolved to, ready to print. A secret's text is already redacted, so the real value
/// never leaves the loader through this type.
/// </summary>
/// <param name="Variable">The registry entry.</param>
/// <param name="DisplayText">The value as given or computed; <c>********</c> for a secret that is set; empty when unset.</param>
/// <param name="FromDefault">True when the variable was not set and the default applies.</param>
public sealed record ResolvedVariable(ConfigurationVariable Variable, string DisplayText, bool FromDefault);

namespace MailRelay.Configuration;

/// <summary>
/// One environment variable the daemon reads: the registry entry that the loader, <c>config check</c> and the
/// documentation all share.
/// </summary>
/// <param name="Name">The variable's name, UPPER_SNAKE.</param>
/// <param name="Type">The accepted syntax, as the documentation shows it.</param>
/// <param name="Default">The default as the documentation shows it (a literal value or a description).</param>
/// <param name="LiteralDefault">The text parsed when the variable is unset; null when the default is computed.</param>
/// <param name="Meaning">What the variable controls.</param>
/// <param name="IsSecret">True when the value must never be printed or logged.</param>
public sealed record ConfigurationVariable(
    string Name,
    string Type,
    string Default,
    string? LiteralDefault,
    string Meaning,
    bool IsSecret)
{
    /// <summary>A variable whose default is a literal value, parsed like a value from the environment.</summary>
    public static ConfigurationVariable Literal(string name, string type, string defaultValue, string meaning) =>
        new(name, type, defaultValue, defaultValue, meaning, IsSecret: false);

    /// <summary>A variable whose default is worked out by the loader (or is "not set").</summary>
    public static ConfigurationVariable Computed(string name, string type, string defaultDescription, string meaning, bool isSecret = false) =>
        new(name, type, defaultDescription, null, meaning, isSecret);
}

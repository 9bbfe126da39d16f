namespace MailRelay.Configuration;

/// <summary>A configuration value that is accepted but probably not what the operator meant.</summary>
/// <param name="Variable">The environment variable concerned.</param>
/// <param name="Message">What looks wrong.</param>
public sealed record ConfigurationWarning(string Variable, string Message)
{
    public override string ToString() => $"{Variable}: {Message}";
}

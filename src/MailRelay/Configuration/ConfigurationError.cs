namespace MailRelay.Configuration;

/// <summary>A configuration value that stops the daemon from starting.</summary>
/// <param name="Variable">The environment variable at fault.</param>
/// <param name="Message">What is wrong with it.</param>
public sealed record ConfigurationError(string Variable, string Message)
{
    public override string ToString() => $"{Variable}: {Message}";
}

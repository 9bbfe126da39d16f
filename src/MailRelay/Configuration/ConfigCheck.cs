namespace MailRelay.Configuration;

/// <summary>The <c>MailRelay config check</c> command: validate the environment and print the result.</summary>
public static class ConfigCheck
{
    /// <summary>
    /// Prints the resolved configuration (secrets redacted) and warnings to <paramref name="stdout"/> and returns 0;
    /// or prints every error to <paramref name="stderr"/> and returns 1.
    /// </summary>
    public static int Run(IReadOnlyDictionary<string, string?> environment, TextWriter stdout, TextWriter stderr) =>
        Run(environment, stdout, stderr, System.Net.Dns.GetHostName);

    /// <summary>As <see cref="Run(IReadOnlyDictionary{string, string?}, TextWriter, TextWriter)"/>, with a given machine host name.</summary>
    internal static int Run(IReadOnlyDictionary<string, string?> environment, TextWriter stdout, TextWriter stderr, Func<string> machineHostName) =>
        Run(environment, stdout, stderr, machineHostName, Environment.CurrentDirectory);

    /// <summary>As above, with relative paths resolved against <paramref name="currentDirectory"/>.</summary>
    internal static int Run(IReadOnlyDictionary<string, string?> environment, TextWriter stdout, TextWriter stderr, Func<string> machineHostName, string currentDirectory)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var result = ConfigurationLoader.Load(environment, machineHostName, currentDirectory);
        if (!result.IsValid)
        {
            WriteErrors(result, stderr);
            return 1;
        }

        stdout.Write(ConfigurationReport.Write(result));
        stdout.WriteLine("configuration is valid");
        return 0;
    }

    /// <summary>Writes every error (and the warnings) as the daemon prints them when it refuses to start.</summary>
    public static void WriteErrors(ConfigurationResult result, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine($"invalid configuration ({result.Errors.Count} error{(result.Errors.Count == 1 ? string.Empty : "s")}):");
        foreach (var error in result.Errors)
        {
            writer.WriteLine($"  error: {error}");
        }

        foreach (var warning in result.Warnings)
        {
            writer.WriteLine($"  warning: {warning}");
        }
    }
}

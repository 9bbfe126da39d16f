using MailRelay.Cli;

namespace MailRelay;

public static class Program
{
    public static Task<int> Main(string[] args) =>
        CommandLine.RunAsync(args, ConfigurationEnvironment(), Console.In, Console.Out, Console.Error);

    private static IReadOnlyDictionary<string, string?> ConfigurationEnvironment() =>
        Configuration.ConfigurationLoader.ReadProcessEnvironment();
}

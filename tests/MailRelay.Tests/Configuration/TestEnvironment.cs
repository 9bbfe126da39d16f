using MailRelay.Configuration;

namespace MailRelay.Tests.Configuration;

/// <summary>Builds environments and loads them with a fixed machine host name, so results do not depend on the machine.</summary>
internal static class TestEnvironment
{
    public const string MachineHostName = "relay-test.example";

    /// <summary>The directory the command is taken to be run in; relative paths resolve against it.</summary>
    public const string WorkingDirectory = "/srv/relay-test";

    public static Dictionary<string, string?> Of(params (string Name, string? Value)[] variables) =>
        variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);

    public static ConfigurationResult Load(params (string Name, string? Value)[] variables) =>
        ConfigurationLoader.Load(Of(variables), () => MachineHostName, WorkingDirectory);

    public static RelayConfiguration LoadValid(params (string Name, string? Value)[] variables)
    {
        var result = Load(variables);
        Assert.True(result.IsValid, "expected a valid configuration, got: " + string.Join(" | ", result.Errors));
        return result.Configuration;
    }

    public static IReadOnlyList<string> ErrorVariables(ConfigurationResult result) =>
        result.Errors.Select(e => e.Variable).ToArray();
}

using MailRelay.Configuration;
using MailRelay.Configuration.Syntax;
using MailRelay.Handoff;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Cli;

/// <summary>
/// <c>MailRelay queue handoff --to HOST:PORT</c>: what a scaled-down pod could not hand over before it stopped, handed
/// over from its DATA_DIR (the volume mounted in a pod of its own, or the daemon stopped). Exit codes: 0 the whole queue
/// is the peer's now (or was empty), 1 some messages stay (the peer refused or could not be reached; see the output),
/// 2 usage error, 3 a daemon runs on this DATA_DIR (stop it first: a running daemon delivers its queue itself).
/// </summary>
public static class HandoffCommand
{
    public const int DaemonRunning = 3;

    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string?> environment, string option, string target, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (option != "--to" || !TryParseTarget(target, out var host, out var port))
        {
            await stderr.WriteLineAsync($"MailRelay queue handoff: expected --to HOST:PORT, got '{option} {target}'.");
            return CommandLine.ExitUsage;
        }

        var result = ConfigurationLoader.Load(environment);
        if (!result.IsValid)
        {
            ConfigCheck.WriteErrors(result, stderr);
            return CommandLine.ExitError;
        }

        var configuration = result.Configuration;
        HandoffResult outcome;
        try
        {
            outcome = await QueueHandoff.RunAsync(
                configuration.DataDirectory, host, port, configuration.HostName, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        }
        catch (HandoffException exception)
        {
            await stderr.WriteLineAsync($"MailRelay queue handoff: {exception.Message}");
            return DaemonRunning;
        }

        await stdout.WriteLineAsync($"{outcome.HandedOver} messages handed over to {host}:{port}, {outcome.Remaining} left in {configuration.DataDirectory}");
        if (outcome.Problem is { } problem)
        {
            await stderr.WriteLineAsync($"MailRelay queue handoff: stopped: {problem}");
        }

        return outcome.Complete ? CommandLine.ExitOk : CommandLine.ExitError;
    }

    private static bool TryParseTarget(string text, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        host = text[..colon].Trim('[', ']');
        return EndpointSyntax.TryParsePort(text[(colon + 1)..], out port, out _);
    }
}

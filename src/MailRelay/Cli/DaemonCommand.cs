using MailRelay.Configuration;
using MailRelay.Hosting;
using MailRelay.Observability;

namespace MailRelay.Cli;

/// <summary>Runs the daemon: validate the configuration (or exit naming what is wrong), start, serve until SIGTERM.</summary>
public static class DaemonCommand
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string?> environment, TextWriter stdout, TextWriter stderr)
    {
        var result = ConfigurationLoader.Load(environment);
        if (!result.IsValid)
        {
            await stderr.WriteLineAsync("MailRelay: cannot start, the configuration is invalid:");
            ConfigCheck.WriteErrors(result, stderr);
            return CommandLine.ExitError;
        }

        var configuration = result.Configuration;
        await using var root = LoggingSetup.CreateLogger(configuration.LogFormat, configuration.LogLevel, stdout);
        var logger = root.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "MailRelay");
        foreach (var warning in result.Warnings)
        {
            logger.Warning("Configuration: {Variable}: {Warning}", warning.Variable, warning.Message);
        }

        using var loggers = new Serilog.Extensions.Logging.SerilogLoggerFactory(root);
        var handoffLogger = loggers.CreateLogger("MailRelay.Handoff");

        // What a scale-down left here last time goes before this pod takes new mail, if it is still not kept.
        await Handoff.ScaleDownHandoff.RunIfLeavingAsync(configuration, handoffLogger, CancellationToken.None);
        RelayHost host;
        try
        {
            host = RelayHost.Create(configuration, root);
            await host.StartAsync();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException
            or InvalidOperationException or Queue.SpoolException or Dkim.DkimConfigurationException
            or DnsPublishing.Kubernetes.KubernetesConnectionException)
        {
            logger.Fatal(ex, "MailRelay could not start: {Reason}", ex.Message);
            await stderr.WriteLineAsync($"MailRelay: cannot start: {ex.Message}");
            return CommandLine.ExitError;
        }

        await using (host)
        {
            logger.Information(
                "MailRelay {Version} ready: smtp={Smtp} admin={Admin} data={DataDirectory} host={HostName}",
                CommandLine.Version,
                string.Join(",", host.SmtpEndPoints.Select(e => e.ToString())),
                host.AdminEndPoint?.ToString() ?? "off",
                Path.GetFullPath(configuration.DataDirectory),
                configuration.HostName);
            await host.WaitForShutdownAsync();
        }

        // Sessions and deliveries have stopped, the spool is disposed (its segment log appends nothing more) and the
        // queue lock is free: a pod the StatefulSet no longer keeps hands its queue over now.
        await Handoff.ScaleDownHandoff.RunIfLeavingAsync(configuration, handoffLogger, CancellationToken.None);
        logger.Information("MailRelay stopped");
        return CommandLine.ExitOk;
    }
}

using System.Reflection;
using MailRelay.Configuration;
using MailRelay.Queue;

namespace MailRelay.Cli;

/// <summary>
/// The executable's sub-commands. With no arguments (or <c>run</c>) it is the daemon; the others are
/// operator tools that work on the same configuration and DATA_DIR, also while the daemon runs.
/// </summary>
public static class CommandLine
{
    public const int ExitOk = 0;
    public const int ExitError = 1;
    public const int ExitUsage = 2;

    public static string Version =>
        typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Runs a command that needs no standard input (one that does finds it empty).</summary>
    public static Task<int> RunAsync(string[] args, IReadOnlyDictionary<string, string?> environment, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, environment, TextReader.Null, stdout, stderr);

    public static async Task<int> RunAsync(string[] args, IReadOnlyDictionary<string, string?> environment, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        var words = string.Join(' ', args);
        if (CommandSyntax.Check(args) is { } syntaxError)
        {
            await stderr.WriteLineAsync(syntaxError);
            return ExitUsage;
        }

        switch (words)
        {
            case "" or "run":
                return await DaemonCommand.RunAsync(environment, stdout, stderr);
            case "config check":
                return ConfigCheck.Run(environment, stdout, stderr);
            case "queue list" or "mailq":
                return WithConfiguration(environment, stderr, c => QueueCommands.RunList(c, stdout, stderr));
            case "queue flush":
                return WithConfiguration(environment, stderr, c => QueueCommands.RunFlush(c, null, stdout, stderr));
            case "suppress list":
                return WithConfiguration(environment, stderr, c => SuppressCommands.RunList(c, stdout, TimeProvider.System));
            case var _ when args.Length == 3 && args[0] == "suppress" && args[1] == "remove":
                return WithConfiguration(environment, stderr, c => SuppressCommands.RunRemove(c, args[2], stdout, stderr, TimeProvider.System));
            case var _ when args.Length == 3 && args[0] == "queue":
                return QueueCommand(environment, args[1], args[2], stdout, stderr);
            case "rate show":
                return WithConfiguration(environment, stderr, c => RateCommands.RunShow(c, stdout, stderr));
            case var _ when args.Length == 3 && args[0] == "rate" && args[1] == "reset":
                return WithConfiguration(environment, stderr, c => RateCommands.RunReset(c, args[2], stdout, stderr));
            case "dkim show":
                return WithConfiguration(environment, stderr, c => Dkim.DkimShowCommand.Run(c, null, stdout, stderr));
            case var _ when args.Length == 3 && args[0] == "dkim" && args[1] == "show":
                return WithConfiguration(environment, stderr, c => Dkim.DkimShowCommand.Run(c, args[2], stdout, stderr));
            case var _ when args.Length == 4 && args[0] == "dkim" && args[1] == "generate":
                return WithConfiguration(environment, stderr, c => Dkim.DkimGenerateCommand.Run(c, args[2], args[3], stdout, stderr));
            case "health" or "health --ready":
                return await WithConfigurationAsync(environment, stderr, c => HealthCommand.RunAsync(c, args.Length == 2, stdout, stderr));
            case var _ when args[0] == "health":
                await stderr.WriteLineAsync($"MailRelay health: unexpected argument '{args[^1]}'.\nUsage: MailRelay health [--ready]");
                return ExitUsage;
            case "dns plan" or "dns apply" or "dns status":
                return await WithConfigurationAsync(environment, stderr, c => RunDnsAsync(c, args[1], stdout, stderr));
            case "dnsbl check":
                return await WithConfigurationAsync(environment, stderr, c => DnsblCommand.RunAsync(c, stdout, stderr, CancellationToken.None));
            case "auth hash-password":
                return await AuthCommands.RunHashPasswordAsync(stdin, stdout, stderr);
            case "--version" or "version":
                await stdout.WriteLineAsync($"MailRelay {Version}");
                return ExitOk;
            case "--help" or "-h" or "help":
                await stdout.WriteAsync(Usage);
                return ExitOk;
            default:
                await stderr.WriteLineAsync($"MailRelay: unknown command '{words}'.");
                await stderr.WriteAsync(Usage);
                return ExitUsage;
        }
    }

    private static int WithConfiguration(IReadOnlyDictionary<string, string?> environment, TextWriter stderr, Func<RelayConfiguration, int> command)
    {
        var result = ConfigurationLoader.Load(environment);
        if (!result.IsValid)
        {
            ConfigCheck.WriteErrors(result, stderr);
            return ExitError;
        }

        return command(result.Configuration);
    }

    private static async Task<int> WithConfigurationAsync(IReadOnlyDictionary<string, string?> environment, TextWriter stderr, Func<RelayConfiguration, Task<int>> command)
    {
        var result = ConfigurationLoader.Load(environment);
        if (!result.IsValid)
        {
            ConfigCheck.WriteErrors(result, stderr);
            return ExitError;
        }

        return await command(result.Configuration);
    }

    private static async Task<int> RunDnsAsync(RelayConfiguration configuration, string verb, TextWriter stdout, TextWriter stderr)
    {
        var loggers = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        DnsPublishing.DnsPublishingComponents components;
        try
        {
            components = DnsPublishing.DnsPublishingComponents.Create(configuration, TimeProvider.System, loggers);
        }
        catch (DnsPublishing.Kubernetes.KubernetesConnectionException e)
        {
            await stderr.WriteLineAsync($"DNS {verb}: {e.Message}");
            return ExitError;
        }

        using (components)
        {
            var publisher = components.Publisher;
            return verb switch
            {
                "plan" => await DnsCommands.RunPlanAsync(publisher, stdout, stderr, CancellationToken.None),
                "apply" => await DnsCommands.RunApplyAsync(publisher, stdout, stderr, CancellationToken.None),
                _ => await DnsCommands.RunStatusAsync(
                    publisher,
                    new DnsPublishing.PublishedRecordResolver(Dns.DnsLookupClientFactory.Create(configuration.Delivery.DnsServers, Dns.DnsLookupClientFactory.DefaultTimeout)),
                    configuration,
                    stdout,
                    stderr,
                    CancellationToken.None),
            };
        }
    }

    private static int QueueCommand(IReadOnlyDictionary<string, string?> environment, string verb, string id, TextWriter stdout, TextWriter stderr)
    {
        Func<RelayConfiguration, int>? command = verb switch
        {
            "show" => c => QueueCommands.RunShow(c, id, stdout, stderr),
            "flush" => c => QueueCommands.RunFlush(c, id, stdout, stderr),
            "delete" => c => QueueCommands.RunDelete(c, id, stdout, stderr),
            "hold" => c => QueueCommands.RunHold(c, id, stdout, stderr),
            "release" => c => QueueCommands.RunRelease(c, id, stdout, stderr),
            _ => null,
        };
        if (command is null)
        {
            stderr.WriteLine($"MailRelay: unknown queue command '{verb}'.");
            stderr.Write(Usage);
            return ExitUsage;
        }

        return WithConfiguration(environment, stderr, command);
    }

    private const string Usage = """
        Usage: MailRelay [command]

          (none), run     run the relay daemon (configured by environment variables)
          config check    validate the environment and print the resolved configuration, secrets redacted
          queue list      list the queue under DATA_DIR with each recipient's state (like mailq)
          queue show ID   one message: envelope, per-recipient state, last reply, next attempt, headers
          queue flush [ID]
                          retry now (all deferred mail, or one message), like postqueue -f / -i
          queue hold ID | release ID | delete ID
                          like postsuper -h / -H / -d; works while the daemon runs
          suppress list   the recipients refused at RCPT after a hard bounce or a complaint (SUPPRESS_AFTER_HARD_BOUNCE)
          suppress remove ADDRESS
                          take a recipient off that list; works while the daemon runs (exit 1: it was not on it)
          rate show       delivery pacing per provider: delay, circuit, counters, warm-up (from the saved state)
          rate reset PROVIDER
                          forget a provider's pacing state (a domain names its provider: gmail.com → google.com)
          dkim show [DOMAIN]
                          print the DNS records to publish: DKIM (from the keys on disk), SPF, DMARC
          dkim generate DOMAIN SELECTOR
                          make a key under a new selector, for key rotation (see docs/dkim.md)
          dns plan        the DNS records the relay publishes (DNS_PROVIDER) against what the provider has, and the
                          changes to make; writes nothing. Exit 0 in sync, 3 changes pending, 4 conflicts, 1 error
          dns apply       make those changes now (the running daemon does it every DNS_CHECK_INTERVAL)
          dns status      the same records as resolvers see them (DNS_SERVERS), and the PTR of each public address
          dnsbl check     ask the blocklists (DNSBL_*) about the sending addresses and domains now, through DNS_SERVERS.
                          Exit 0 clean, 3 listed somewhere, 4 no listing but some lists gave no answer, 1 error
          health [--ready]
                          ask the running daemon's admin listener (/healthz, or /readyz): exit 0 when it
                          answers 200 (the container's HEALTHCHECK)
          auth hash-password
                          read a password from standard input (one line) and print its secret for
                          SMTP_AUTH_USERS_FILE ({PBKDF2-SHA256}...; see docs/authentication.md)
          --version       print the version
          --help          print this text

        Configuration: docs/configuration.md. Every setting is an environment variable.

        """;
}

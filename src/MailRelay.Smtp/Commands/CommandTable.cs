using System.Collections.Frozen;

namespace MailRelay.Smtp.Commands;

/// <summary>The verbs this engine knows: the implemented commands, and those it answers with 502.</summary>
public sealed class CommandTable
{
    private static readonly FrozenSet<string> NotImplementedVerbs =
        new[] { "EXPN", "TURN", "ETRN", "ATRN", "SEND", "SOML", "SAML" }.ToFrozenSet(StringComparer.Ordinal);

    private readonly Dictionary<string, ISmtpCommand> commands = new(StringComparer.Ordinal);

    public CommandTable()
    {
        ISmtpCommand[] all =
        [
            new EhloCommand(), new HeloCommand(), new MailCommand(), new RcptCommand(), new DataCommand(),
            new BdatCommand(), new RsetCommand(), new NoopCommand(), new QuitCommand(), new VrfyCommand(),
            new HelpCommand(), new StartTlsCommand(), new AuthCommand(),
        ];
        foreach (var command in all)
        {
            commands.Add(command.Verb, command);
        }
    }

    public ISmtpCommand? Find(string verb) => commands.GetValueOrDefault(verb);

    /// <summary>A verb from RFC 5321 or a common extension that this server does not offer.</summary>
    public static bool IsKnownButNotImplemented(string verb) => NotImplementedVerbs.Contains(verb);
}

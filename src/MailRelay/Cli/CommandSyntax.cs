namespace MailRelay.Cli;

/// <summary>
/// The operands of each two-word sub-command, so a missing or extra argument is told as such with that
/// command's usage only, before any configuration is read, instead of "unknown command" and the whole help.
/// </summary>
internal static class CommandSyntax
{
    /// <summary>Command → its operands; the first <c>Required</c> must be given, the rest may be.</summary>
    private static readonly (string Command, string[] Operands, int Required)[] Commands =
    [
        ("config check", [], 0),
        ("queue list", [], 0),
        ("queue show", ["ID"], 1),
        ("queue flush", ["ID"], 0),
        ("queue hold", ["ID"], 1),
        ("queue release", ["ID"], 1),
        ("queue delete", ["ID"], 1),
        ("suppress list", [], 0),
        ("suppress remove", ["ADDRESS"], 1),
        ("rate show", [], 0),
        ("rate reset", ["PROVIDER"], 1),
        ("dkim show", ["DOMAIN"], 0),
        ("dkim generate", ["DOMAIN", "SELECTOR"], 2),
        ("dns plan", [], 0),
        ("dns apply", [], 0),
        ("dns status", [], 0),
        ("dnsbl check", [], 0),
        ("auth hash-password", [], 0),
    ];

    /// <summary>
    /// Null when <paramref name="args"/> is no sub-command family or a well-formed sub-command; otherwise the
    /// one-line error followed by the usage of that command (or of its family).
    /// </summary>
    public static string? Check(string[] args)
    {
        if (args.Length == 0 || !Commands.Any(c => c.Command.StartsWith(args[0] + " ", StringComparison.Ordinal)))
        {
            return null;
        }

        var family = args[0];
        if (args.Length == 1)
        {
            return $"MailRelay {family}: missing command.\n{FamilyUsage(family)}";
        }

        var command = $"{family} {args[1]}";
        var match = Commands.FirstOrDefault(c => string.Equals(c.Command, command, StringComparison.Ordinal));
        if (match.Command is null)
        {
            return $"MailRelay {family}: unknown command '{args[1]}'.\n{FamilyUsage(family)}";
        }

        var given = args.Length - 2;
        if (given < match.Required)
        {
            return $"MailRelay {command}: missing {match.Operands[given]}.\n{Usage(match)}";
        }

        return given > match.Operands.Length
            ? $"MailRelay {command}: unexpected argument '{args[2 + match.Operands.Length]}'.\n{Usage(match)}"
            : null;
    }

    private static string FamilyUsage(string family) =>
        string.Join('\n', Commands.Where(c => c.Command.StartsWith(family + " ", StringComparison.Ordinal)).Select(Usage));

    private static string Usage((string Command, string[] Operands, int Required) command) =>
        "Usage: MailRelay " + string.Join(' ', command.Operands.Select((o, i) => i < command.Required ? o : $"[{o}]").Prepend(command.Command));
}

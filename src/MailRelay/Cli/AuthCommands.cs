using MailRelay.Authentication;

namespace MailRelay.Cli;

/// <summary>
/// <c>MailRelay auth hash-password</c>: turns a password into a users-file secret. The password comes from standard
/// input, never from the command line, where other users of the machine could read it in the process list.
/// Exit codes: 0 printed, 1 no usable password given.
/// </summary>
public static class AuthCommands
{
    public static Task<int> RunHashPasswordAsync(TextReader stdin, TextWriter stdout, TextWriter stderr) =>
        RunHashPasswordAsync(stdin, stdout, stderr, PasswordHash.DefaultIterations);

    internal static async Task<int> RunHashPasswordAsync(TextReader stdin, TextWriter stdout, TextWriter stderr, int iterations)
    {
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        // ReadLine drops the line break that `echo` or a here-string adds; it is not part of the password.
        var password = await stdin.ReadLineAsync();
        if (string.IsNullOrEmpty(password))
        {
            await stderr.WriteLineAsync("auth hash-password: no password on standard input (give it as one line, e.g. from a pipe).");
            return CommandLine.ExitError;
        }

        if (password.Any(char.IsControl))
        {
            await stderr.WriteLineAsync("auth hash-password: the password contains control characters.");
            return CommandLine.ExitError;
        }

        await stdout.WriteLineAsync(PasswordHash.Create(password, iterations).Format());
        return CommandLine.ExitOk;
    }
}

using MailRelay.Authentication;
using MailRelay.Cli;

namespace MailRelay.Tests.Authentication;

public sealed class HashPasswordCommandTests : IDisposable
{
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public void Dispose()
    {
        _stdout.Dispose();
        _stderr.Dispose();
    }

    [Fact]
    public async Task The_printed_secret_verifies_the_password_from_standard_input_and_no_other()
    {
        using var stdin = new StringReader("correct horse\n");

        var exitCode = await CommandLine.RunAsync(["auth", "hash-password"], new Dictionary<string, string?>(), stdin, _stdout, _stderr);

        Assert.Equal(CommandLine.ExitOk, exitCode);
        var line = Assert.Single(_stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("{PBKDF2-SHA256}210000$", line, StringComparison.Ordinal);
        Assert.True(PasswordHash.TryParse(line, out var secret, out var error), error);
        Assert.True(secret!.Matches("correct horse"));
        Assert.False(secret.Matches("correct horse\n"));
        Assert.True(UsersFile.Parse("app:" + line + "\n").IsValid);
        Assert.Empty(_stderr.ToString());
    }

    [Fact]
    public async Task A_windows_line_ending_is_not_part_of_the_password()
    {
        using var stdin = new StringReader("pw\r\n");

        Assert.Equal(CommandLine.ExitOk, await AuthCommands.RunHashPasswordAsync(stdin, _stdout, _stderr, 1000));

        Assert.True(PasswordHash.TryParse(_stdout.ToString().Trim(), out var secret, out _));
        Assert.True(secret!.Matches("pw"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("pass\u0000word\n")]
    public async Task No_usable_password_is_an_error_and_prints_no_secret(string input)
    {
        using var stdin = new StringReader(input);

        Assert.Equal(CommandLine.ExitError, await AuthCommands.RunHashPasswordAsync(stdin, _stdout, _stderr, 1000));

        Assert.Empty(_stdout.ToString());
        Assert.StartsWith("auth hash-password: ", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_help_text_lists_the_command()
    {
        Assert.Equal(CommandLine.ExitOk, await CommandLine.RunAsync(["--help"], new Dictionary<string, string?>(), _stdout, _stderr));

        Assert.Contains("auth hash-password", _stdout.ToString(), StringComparison.Ordinal);
    }
}

using MailRelay.Cli;

namespace MailRelay.Tests.Cli;

public class CommandSyntaxTests
{
    private static async Task<(int ExitCode, string Stdout, string[] Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        var exitCode = await CommandLine.RunAsync(args, environment, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("queue show", "MailRelay queue show: missing ID.", "Usage: MailRelay queue show ID")]
    [InlineData("queue show a b", "MailRelay queue show: unexpected argument 'b'.", "Usage: MailRelay queue show ID")]
    [InlineData("queue flush a b", "MailRelay queue flush: unexpected argument 'b'.", "Usage: MailRelay queue flush [ID]")]
    [InlineData("queue hold", "MailRelay queue hold: missing ID.", "Usage: MailRelay queue hold ID")]
    [InlineData("queue hold a b", "MailRelay queue hold: unexpected argument 'b'.", "Usage: MailRelay queue hold ID")]
    [InlineData("queue release", "MailRelay queue release: missing ID.", "Usage: MailRelay queue release ID")]
    [InlineData("queue release a b", "MailRelay queue release: unexpected argument 'b'.", "Usage: MailRelay queue release ID")]
    [InlineData("queue delete", "MailRelay queue delete: missing ID.", "Usage: MailRelay queue delete ID")]
    [InlineData("queue delete a b", "MailRelay queue delete: unexpected argument 'b'.", "Usage: MailRelay queue delete ID")]
    [InlineData("queue list x", "MailRelay queue list: unexpected argument 'x'.", "Usage: MailRelay queue list")]
    [InlineData("suppress remove", "MailRelay suppress remove: missing ADDRESS.", "Usage: MailRelay suppress remove ADDRESS")]
    [InlineData("suppress list x", "MailRelay suppress list: unexpected argument 'x'.", "Usage: MailRelay suppress list")]
    [InlineData("rate reset", "MailRelay rate reset: missing PROVIDER.", "Usage: MailRelay rate reset PROVIDER")]
    [InlineData("rate reset a b", "MailRelay rate reset: unexpected argument 'b'.", "Usage: MailRelay rate reset PROVIDER")]
    [InlineData("rate show x", "MailRelay rate show: unexpected argument 'x'.", "Usage: MailRelay rate show")]
    [InlineData("dkim show a b", "MailRelay dkim show: unexpected argument 'b'.", "Usage: MailRelay dkim show [DOMAIN]")]
    [InlineData("dkim generate", "MailRelay dkim generate: missing DOMAIN.", "Usage: MailRelay dkim generate DOMAIN SELECTOR")]
    [InlineData("dkim generate example.com", "MailRelay dkim generate: missing SELECTOR.", "Usage: MailRelay dkim generate DOMAIN SELECTOR")]
    [InlineData("dkim generate example.com s1 x", "MailRelay dkim generate: unexpected argument 'x'.", "Usage: MailRelay dkim generate DOMAIN SELECTOR")]
    [InlineData("dns plan x", "MailRelay dns plan: unexpected argument 'x'.", "Usage: MailRelay dns plan")]
    [InlineData("dns apply x", "MailRelay dns apply: unexpected argument 'x'.", "Usage: MailRelay dns apply")]
    [InlineData("dns status x", "MailRelay dns status: unexpected argument 'x'.", "Usage: MailRelay dns status")]
    [InlineData("auth hash-password x", "MailRelay auth hash-password: unexpected argument 'x'.", "Usage: MailRelay auth hash-password")]
    [InlineData("config check x", "MailRelay config check: unexpected argument 'x'.", "Usage: MailRelay config check")]
    public async Task A_missing_or_extra_argument_is_named_with_that_commands_usage_only(string command, string error, string usage)
    {
        var (exitCode, stdout, stderr) = await RunAsync(command.Split(' '));

        Assert.Equal(CommandLine.ExitUsage, exitCode);
        Assert.Empty(stdout);
        Assert.Equal(new[] { error, usage }, stderr);
    }

    [Fact]
    public async Task A_family_without_its_command_lists_the_familys_usage()
    {
        var (exitCode, _, stderr) = await RunAsync("dns");

        Assert.Equal(CommandLine.ExitUsage, exitCode);
        Assert.Equal(
            new[] { "MailRelay dns: missing command.", "Usage: MailRelay dns plan", "Usage: MailRelay dns apply", "Usage: MailRelay dns status" },
            stderr);
    }

    [Fact]
    public async Task An_unknown_command_of_a_family_lists_the_familys_usage()
    {
        var (exitCode, _, stderr) = await RunAsync("rate", "clear");

        Assert.Equal(CommandLine.ExitUsage, exitCode);
        Assert.Equal(new[] { "MailRelay rate: unknown command 'clear'.", "Usage: MailRelay rate show", "Usage: MailRelay rate reset PROVIDER" }, stderr);
    }
}

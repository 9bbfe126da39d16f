using System.Diagnostics;
using MailRelay.Authentication;
using MailRelay.Queue;

namespace MailRelay.Tests.Integration;

/// <summary>
/// swaks, an independent SMTP client, against the daemon: a normal message, pipelining, a refused relay, and
/// AUTH PLAIN and LOGIN opening the relay to an address outside the trusted networks.
/// </summary>
public class SwaksInteropTests
{
    private static async Task<(int ExitCode, string Output)> SwaksAsync(params string[] arguments)
    {
        var path = File.Exists("/usr/bin/swaks") ? "/usr/bin/swaks"
            : throw new InvalidOperationException("swaks is missing: apt-get install swaks (.ci/run installs it)");
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task Swaks_delivers_with_pipelining_and_gets_the_queue_id()
    {
        await using var relay = await InProcessRelay.StartAsync();
        var (exit, output) = await SwaksAsync(
            "--server", relay.SmtpEndPoint.ToString(), "--pipeline", "--from", "app@ours.example",
            "--to", "a@elsewhere.example,b@elsewhere.example", "--header", "Subject: swaks", "--body", "from swaks");

        Assert.True(exit == 0, output);
        var queued = Assert.Single(relay.Data.QueuedMessages());
        Assert.Contains("queued as " + queued.QueueId, output, StringComparison.Ordinal);
        var stored = queued.Text;
        Assert.Contains("Subject: swaks", stored, StringComparison.Ordinal);
        Assert.Contains("\"recipients\":[\"a@elsewhere.example\",\"b@elsewhere.example\"]", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swaks_from_an_untrusted_address_is_refused_at_rcpt()
    {
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?> { ["TRUSTED_NETWORKS"] = "127.0.0.1/32" });
        var (exit, output) = await SwaksAsync(
            "--server", relay.SmtpEndPoint.ToString(), "--local-interface", "127.0.0.9", "--from", "attacker@evil.example",
            "--to", "victim@gmail.com", "--quit-after", "RCPT");

        Assert.NotEqual(0, exit);
        Assert.Contains("554 5.7.1 <victim@gmail.com>: Relay access denied", output, StringComparison.Ordinal);
        Assert.Empty(relay.Data.QueuedFiles());
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("LOGIN")]
    public async Task Swaks_authenticates_and_may_then_relay_from_an_untrusted_address(string mechanism)
    {
        using var files = new TestDirectory();
        var users = Path.Combine(files.Path, "users");
        await File.WriteAllTextAsync(users, $"reports:{PasswordHash.Create("swaks secret", 1000).Format()}\n");
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["TRUSTED_NETWORKS"] = "127.0.0.1/32",
            ["SMTP_AUTH_ENABLED"] = "true",
            ["SMTP_AUTH_REQUIRE_TLS"] = "false",
            ["SMTP_AUTH_USERS_FILE"] = users,
        });
        string[] common =
        [
            "--server", relay.SmtpEndPoint.ToString(), "--local-interface", "127.0.0.9", "--from", "reports@ours.example",
            "--to", "boss@elsewhere.example", "--auth", mechanism, "--auth-user", "reports",
        ];

        var (refusedExit, refused) = await SwaksAsync([.. common, "--auth-password", "wrong secret"]);
        Assert.NotEqual(0, refusedExit);
        Assert.Contains("535 5.7.8", refused, StringComparison.Ordinal);
        Assert.Empty(relay.Data.QueuedFiles());

        var (exit, output) = await SwaksAsync([.. common, "--auth-password", "swaks secret"]);
        Assert.True(exit == 0, output);
        Assert.Contains("235 2.7.0", output, StringComparison.Ordinal);
        var entry = Assert.Single(new QueueReader(relay.Data.Path).ReadCommitted().Entries);
        Assert.Equal("reports", entry.Envelope.AuthenticatedUser);
        Assert.DoesNotContain("swaks secret", relay.Log, StringComparison.Ordinal);
    }
}

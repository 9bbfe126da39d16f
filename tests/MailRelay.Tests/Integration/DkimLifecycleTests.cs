namespace MailRelay.Tests.Integration;

/// <summary>The daemon generates DKIM keys on first start, keeps them across restarts, and prints the records.</summary>
public class DkimLifecycleTests
{
    [Fact]
    public async Task First_start_generates_keys_that_survive_a_restart_and_dkim_show_prints_the_records()
    {
        using var data = new TestDirectory();
        var environment = new Dictionary<string, string>
        {
            ["MAIL_HOSTNAME"] = "relay.test.example",
            ["MAIL_DOMAINS"] = "ours.example:s2026",
            ["SMTP_LISTENERS"] = "127.0.0.1:0",
            ["ADMIN_LISTEN"] = "none",
            ["DATA_DIR"] = data.Path,
            ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
            ["DKIM_KEY_SIZE"] = "1024",
        };
        var privateKey = Path.Combine(data.Path, "dkim-keys", "ours.example", "s2026.private");

        await using (var first = await DaemonProcess.StartAsync(environment))
        {
            Assert.Contains("s2026._domainkey.ours.example", first.Output, StringComparison.Ordinal);
        }

        var generated = await File.ReadAllBytesAsync(privateKey);
        await using (await DaemonProcess.StartAsync(environment))
        {
        }

        Assert.Equal(generated, await File.ReadAllBytesAsync(privateKey));
        var (exit, output) = await DaemonProcess.RunToExitAsync(environment, "dkim", "show");
        Assert.Equal(0, exit);
        Assert.Contains("s2026._domainkey.ours.example", output, StringComparison.Ordinal);
        Assert.Contains("v=DKIM1; k=rsa; ", output, StringComparison.Ordinal);
        Assert.Contains("v=spf1", output, StringComparison.Ordinal);
        Assert.Contains("_dmarc.ours.example", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_key_stops_the_daemon_with_a_message_naming_the_file()
    {
        using var data = new TestDirectory();
        var directory = Path.Combine(data.Path, "dkim-keys", "ours.example");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "mail.private"), "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");

        var (exit, output) = await DaemonProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["MAIL_DOMAINS"] = "ours.example",
            ["SMTP_LISTENERS"] = "127.0.0.1:0",
            ["ADMIN_LISTEN"] = "none",
            ["DATA_DIR"] = data.Path,
            ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
        });

        Assert.NotEqual(0, exit);
        Assert.Contains("mail.private", output, StringComparison.Ordinal);
        Assert.DoesNotContain(" ready: ", output, StringComparison.Ordinal);
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using MailRelay.Suppression;

namespace MailRelay.Tests.Integration;

/// <summary>
/// The daemon as a process under SUPPRESS_AFTER_HARD_BOUNCE: suppressed recipients get 550 5.1.1 at RCPT, others
/// are accepted; <c>suppress list</c> and the gauge agree; <c>suppress remove</c>, run while the daemon runs, lets
/// the recipient through at once; a restart keeps the list.
/// </summary>
public sealed partial class SuppressionDaemonTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Suppressed_recipients_are_refused_listed_counted_removable_while_running_and_kept_across_a_restart()
    {
        using var data = new TestDirectory();
        var store = new SuppressionStore(data.Path, TimeProvider.System);
        store.Add("gone@sink.test", SuppressionReason.HardBounce, TimeSpan.FromDays(30));
        store.Add("angry@sink.test", SuppressionReason.Complaint, TimeSpan.FromDays(30));
        var environment = Environment(data);
        var daemon = await DaemonProcess.StartAsync(environment);
        try
        {
            Assert.Equal(
                ["550 5.1.1 <gone@sink.test>: Recipient address rejected: suppressed after a hard bounce",
                 "550 5.1.1 <angry@sink.test>: Recipient address rejected: suppressed after a complaint"],
                await RcptRepliesAsync(daemon, "gone@sink.test", "angry@sink.test"));
            Assert.StartsWith("250", Assert.Single(await RcptRepliesAsync(daemon, "fine@sink.test")), StringComparison.Ordinal);

            var listing = await CliAsync(environment, 0, "suppress", "list");
            Assert.Matches(@"(?m)^angry@sink\.test  complaint  since ", listing);
            Assert.Matches(@"(?m)^gone@sink\.test  hard_bounce  since ", listing);
            Assert.Equal(2, Listed(listing));
            var samples = MetricSample.ParseAll(await AdminClient.GetAsync(daemon, "/metrics"));
            Assert.Equal(Listed(listing), Value(samples, "mailrelay_suppressed_recipients"));
            Assert.Equal(1, Value(samples, "mailrelay_suppression_refusals_total", "hard_bounce"));
            Assert.Equal(1, Value(samples, "mailrelay_suppression_refusals_total", "complaint"));

            await CliAsync(environment, 0, "suppress", "remove", "GONE@sink.test");
            await CliAsync(environment, 1, "suppress", "remove", "gone@sink.test");
            Assert.StartsWith("250", Assert.Single(await RcptRepliesAsync(daemon, "gone@sink.test")), StringComparison.Ordinal);
            listing = await CliAsync(environment, 0, "suppress", "list");
            Assert.Equal(1, Listed(listing));
            Assert.Equal(1, Value(MetricSample.ParseAll(await AdminClient.GetAsync(daemon, "/metrics")), "mailrelay_suppressed_recipients"));

            daemon.Terminate();
            await daemon.WaitForExitAsync(Limit);
            Assert.Equal(0, daemon.ExitCode);
            await daemon.DisposeAsync();
            daemon = await DaemonProcess.StartAsync(environment);

            Assert.StartsWith("550 5.1.1 <angry@sink.test>", Assert.Single(await RcptRepliesAsync(daemon, "angry@sink.test")), StringComparison.Ordinal);
            Assert.Equal(1, Value(MetricSample.ParseAll(await AdminClient.GetAsync(daemon, "/metrics")), "mailrelay_suppressed_recipients"));
        }
        finally
        {
            await daemon.DisposeAsync();
        }
    }

    [Fact]
    public async Task Without_SUPPRESS_AFTER_HARD_BOUNCE_the_list_is_not_consulted()
    {
        using var data = new TestDirectory();
        new SuppressionStore(data.Path, TimeProvider.System).Add("gone@sink.test", SuppressionReason.HardBounce, TimeSpan.FromDays(30));
        var environment = Environment(data);
        environment.Remove("SUPPRESS_AFTER_HARD_BOUNCE");
        await using var daemon = await DaemonProcess.StartAsync(environment);

        Assert.StartsWith("250", Assert.Single(await RcptRepliesAsync(daemon, "gone@sink.test")), StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Environment(TestDirectory data) => new()
    {
        ["MAIL_HOSTNAME"] = "relay.test.example",
        ["SMTP_LISTENERS"] = "127.0.0.1:0",
        ["ADMIN_LISTEN"] = "127.0.0.1:0",
        ["DATA_DIR"] = data.Path,
        ["DKIM_ENABLED"] = "false",
        ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
        ["SHUTDOWN_TIMEOUT"] = "10s",
        ["SUPPRESS_AFTER_HARD_BOUNCE"] = "30d",
    };

    private static async Task<List<string>> RcptRepliesAsync(DaemonProcess daemon, params string[] recipients)
    {
        await using var client = await RawSmtpClient.ConnectAsync(daemon.SmtpEndPoint);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO client.test");
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<app@ours.example>"), StringComparison.Ordinal);
        var replies = new List<string>();
        foreach (var recipient in recipients)
        {
            replies.Add((await client.CommandAsync($"RCPT TO:<{recipient}>"))!);
        }

        await client.CommandAsync("QUIT");
        return replies;
    }

    private static async Task<string> CliAsync(Dictionary<string, string> environment, int expectedExit, params string[] args)
    {
        var (exit, output) = await DaemonProcess.RunToExitAsync(environment, args);
        Assert.True(exit == expectedExit, $"MailRelay {string.Join(' ', args)} exited {exit}, not {expectedExit}:\n{output}");
        return output;
    }

    private static int Listed(string listing) =>
        int.Parse(ListedPattern().Match(listing).Groups[1].Value, CultureInfo.InvariantCulture);

    private static double Value(IReadOnlyList<MetricSample> samples, string name, string? reason = null) =>
        Assert.Single(samples, s => s.Name == name && (reason is null || s.Labels.GetValueOrDefault("reason") == reason)).Value;

    [GeneratedRegex(@"(?m)^-- (\d+) suppressed recipients?$")]
    private static partial Regex ListedPattern();
}

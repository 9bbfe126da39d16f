using MailRelay.Cli;
using MailRelay.Tests.Support;
using static MailRelay.Tests.Dnsbl.DnsblBindHarness;

namespace MailRelay.Tests.Dnsbl;

/// <summary><c>MailRelay dnsbl check</c> through the command line, against the same lists the monitor tests use.</summary>
[Collection(BindTestGroup.Name)]
public class DnsblCommandTests(BindFixture fixture)
{
    private readonly BindServer _bind = fixture.Server;

    [Fact]
    public async Task Clean_everywhere_exits_0_with_a_row_per_target_and_list()
    {
        using var relay = new DnsblBindHarness(_bind);

        var (exit, output, _) = await RunAsync(relay);

        Assert.Equal(CommandLine.ExitOk, exit);
        var rows = Rows(output);
        Assert.Equal(["target", "list", "state", "answer", "reason"], rows[0]);
        Assert.Contains(rows, r => r[0] == Address && r[1] == relay.IpZone && r[2] == "clean");
        Assert.Contains(rows, r => r[0] == Address6 && r[1] == relay.IpZone && r[2] == "clean");
        Assert.Contains(rows, r => r[0] == Domain && r[1] == relay.DomainZone && r[2] == "clean");
        Assert.Contains("; 3 checks: 0 listed, 3 clean, 0 without an answer", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listing_exits_3_and_shows_the_answer_and_reason()
    {
        using var relay = new DnsblBindHarness(_bind);
        relay.List(IpName(relay.IpZone), "Listed: see the lookup page", "127.0.0.2");
        relay.List(relay.DomainName(), null, "127.0.1.255");

        var (exit, output, _) = await RunAsync(relay);

        Assert.Equal(DnsblCommand.ExitListed, exit);
        var rows = Rows(output);
        Assert.Contains(rows, r => r[0] == Address && r[2] == "listed" && r[3] == "127.0.0.2" && string.Join(' ', r[4..]) == "Listed: see the lookup page");
        Assert.Contains(rows, r => r[0] == Domain && r[2] == "error" && r[3] == "127.0.1.255" && r[4] == "refused");
    }

    [Fact]
    public async Task Only_errors_exit_4()
    {
        using var relay = new DnsblBindHarness(_bind);
        relay.List(IpName(relay.IpZone), null, "127.255.255.254");

        var (exit, output, _) = await RunAsync(relay);

        Assert.Equal(DnsblCommand.ExitErrors, exit);
        Assert.Contains(Rows(output), r => r[0] == Address && r[2] == "error" && r[3] == "127.255.255.254" && r[4] == "refused");
    }

    [Fact]
    public async Task Nothing_to_check_exits_1_and_says_why()
    {
        using var relay = new DnsblBindHarness(_bind);
        relay.Environment.Remove("DNSBL_IPS");
        relay.Environment["DNSBL_DOMAINS"] = "none";

        var (exit, _, errors) = await RunAsync(relay);

        Assert.Equal(CommandLine.ExitError, exit);
        Assert.Contains("nothing to check", errors, StringComparison.Ordinal);
        Assert.Contains("DNSBL_IPS", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_check_runs_when_the_daemon_monitor_is_turned_off_and_says_so()
    {
        using var relay = new DnsblBindHarness(_bind);
        relay.Environment["DNSBL_ENABLED"] = "false";

        var (exit, output, _) = await RunAsync(relay);

        Assert.Equal(CommandLine.ExitOk, exit);
        Assert.StartsWith("; the daemon does not check blocklists: DNSBL_ENABLED is false", output, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Errors)> RunAsync(DnsblBindHarness relay)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CommandLine.RunAsync(["dnsbl", "check"], relay.Environment, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static List<string[]> Rows(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith(';')).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))];
}

using System.Net;
using MailRelay.Cli;
using MailRelay.Configuration;
using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Addresses;
using MailRelay.Tests.Configuration;
using MailRelay.Tests.Integration;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.Cli;

public sealed class DnsCommandsTests : IDisposable
{
    private readonly TestDirectory _data = new();
    private readonly InMemoryDnsProvider _provider = new();
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public void Dispose()
    {
        _data.Dispose();
        _stdout.Dispose();
        _stderr.Dispose();
    }

    [Fact]
    public async Task Plan_lists_the_changes_writes_nothing_and_exits_3_then_0_once_applied()
    {
        var publisher = Publisher(Configure());

        var pending = await DnsCommands.RunPlanAsync(publisher, _stdout, _stderr, CancellationToken.None);
        var writesAfterPlan = _provider.Applied.Count;
        var applied = await DnsCommands.RunApplyAsync(publisher, TextWriter.Null, _stderr, CancellationToken.None);
        using var again = new StringWriter();
        var inSync = await DnsCommands.RunPlanAsync(publisher, again, _stderr, CancellationToken.None);

        Assert.Equal(DnsCommands.ExitPending, pending);
        Assert.Equal(0, writesAfterPlan);
        Assert.Contains("+ example.com. 300 IN MX 10 mail.example.com.", _stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("pending   _dmarc.example.com. 300 IN TXT \"v=DMARC1; p=none; rua=mailto:postmaster@example.com\"   ; to be created", _stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, applied);
        Assert.Equal(0, inSync);
        Assert.Contains("in_sync   example.com. 300 IN MX 10 mail.example.com.", again.ToString(), StringComparison.Ordinal);
        Assert.Contains("; no changes to make", again.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_conflicts_left_exit_4_and_name_the_foreign_record()
    {
        var publisher = Publisher(Configure(("DNS_RECORDS", "mx")));
        _provider.Seed("example.com", DnsRecordType.MX, "1 aspmx.l.google.com");

        var plan = await DnsCommands.RunPlanAsync(publisher, _stdout, _stderr, CancellationToken.None);
        var apply = await DnsCommands.RunApplyAsync(publisher, TextWriter.Null, _stderr, CancellationToken.None);

        Assert.Equal(DnsCommands.ExitConflicts, plan);
        Assert.Equal(DnsCommands.ExitConflicts, apply);
        Assert.Contains("conflict  example.com. 300 IN MX 10 mail.example.com.   ; not created by this relay (1 aspmx.l.google.com); left untouched", _stdout.ToString(), StringComparison.Ordinal);
        Assert.Empty(_provider.Applied);
    }

    [Fact]
    public async Task A_provider_failure_exits_1_with_the_providers_words()
    {
        _provider.FailNextRead = new DnsProviderException("Cloudflare refused GET /zones: 9109 Invalid access token");

        var exit = await DnsCommands.RunPlanAsync(Publisher(Configure()), _stdout, _stderr, CancellationToken.None);

        Assert.Equal(CommandLine.ExitError, exit);
        Assert.Equal("DNS memory: Cloudflare refused GET /zones: 9109 Invalid access token", _stderr.ToString().Trim());
    }

    [Fact]
    public async Task Apply_while_waiting_for_the_provider_exits_3()
    {
        _provider.Converged = false;

        var exit = await DnsCommands.RunApplyAsync(Publisher(Configure()), _stdout, _stderr, CancellationToken.None);

        Assert.Equal(DnsCommands.ExitPending, exit);
        Assert.Contains("applied; waiting for the provider to carry it out", _stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_provider_plan_and_apply_refuse_and_point_at_dkim_show()
    {
        var environment = new Dictionary<string, string?> { ["MAIL_DOMAINS"] = "example.com", ["DATA_DIR"] = _data.Path };

        var plan = await CommandLine.RunAsync(["dns", "plan"], environment, _stdout, _stderr);
        var apply = await CommandLine.RunAsync(["dns", "apply"], environment, _stdout, _stderr);

        Assert.Equal(CommandLine.ExitError, plan);
        Assert.Equal(CommandLine.ExitError, apply);
        Assert.Contains("DNS_PROVIDER is none", _stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("dkim show", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_check_shows_the_dns_settings_and_never_the_token()
    {
        var environment = new Dictionary<string, string?>
        {
            ["MAIL_DOMAINS"] = "example.com",
            ["DNS_PROVIDER"] = "cloudflare",
            ["CLOUDFLARE_API_TOKEN"] = "cf-secret-token-0123456789",
            ["DNS_EXTERNAL_IPS"] = "203.0.113.7",
        };

        var exit = await CommandLine.RunAsync(["config", "check"], environment, _stdout, _stderr);

        Assert.Equal(0, exit);
        Assert.Contains("DNS_PROVIDER", _stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("203.0.113.7", _stdout.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("cf-secret-token", _stdout.ToString() + _stderr.ToString(), StringComparison.Ordinal);
    }

    private RelayConfiguration Configure(params (string Name, string? Value)[] extra) => TestEnvironment.LoadValid(
        [("MAIL_HOSTNAME", "mail.example.com"), ("MAIL_DOMAINS", "example.com"), ("DATA_DIR", _data.Path), ("DKIM_ENABLED", "false"), .. extra]);

    private DnsPublisher Publisher(RelayConfiguration configuration) =>
        new(configuration, _provider, new StaticAddressSource([IPAddress.Parse("203.0.113.7")]), NullLogger<DnsPublisher>.Instance);
}

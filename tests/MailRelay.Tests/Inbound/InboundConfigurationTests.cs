using MailRelay.Inbound;
using MailRelay.Tests.Configuration;

namespace MailRelay.Tests.Inbound;

/// <summary>INBOUND_* and DMARC_REPORTS_* do what docs/configuration.md says.</summary>
public class InboundConfigurationTests
{
    [Fact]
    public void Inbound_mail_is_off_by_default_and_no_address_is_a_feedback_address()
    {
        var configuration = TestEnvironment.LoadValid(("MAIL_DOMAINS", "ours.example"));
        var addresses = new InboundAddresses(configuration.Inbound, ["ours.example"]);

        Assert.False(configuration.Inbound.Enabled);
        Assert.False(addresses.Contains("postmaster@ours.example"));
        Assert.Equal(["postmaster", "abuse", "bounce+", "fbl", "dmarc"], configuration.Inbound.Recipients.Select(r => r.LocalPart));
        Assert.Null(configuration.Inbound.ForwardTo);
        Assert.True(configuration.Inbound.DmarcReports.Enabled);
        Assert.False(configuration.Inbound.DmarcReports.Store);
        Assert.Equal(TimeSpan.FromDays(90), configuration.Inbound.DmarcReports.MaxAge);
        Assert.Equal("/srv/relay-test/data/dmarc-reports", configuration.Inbound.DmarcReports.StorePath);
    }

    [Fact]
    public void The_recipients_are_whole_local_parts_or_prefixes_at_our_domains_only_in_any_case()
    {
        var configuration = TestEnvironment.LoadValid(("MAIL_DOMAINS", "ours.example,other.example"), ("INBOUND_ENABLED", "true"), ("INBOUND_RECIPIENTS", "postmaster, bounce+ ,fbl"));
        var addresses = new InboundAddresses(configuration.Inbound, configuration.Domains.Select(d => d.Name));

        Assert.True(addresses.Contains("postmaster@ours.example"));
        Assert.True(addresses.Contains("PostMaster@Other.Example"));
        Assert.True(addresses.Contains("bounce+anything@ours.example"));
        Assert.False(addresses.Contains("bounce+@ours.example"));
        Assert.False(addresses.Contains("bounce@ours.example"));
        Assert.False(addresses.Contains("postmaster2@ours.example"));
        Assert.False(addresses.Contains("abuse@ours.example"));
        Assert.False(addresses.Contains("postmaster@elsewhere.example"));
        Assert.False(addresses.Contains("postmaster@sub.ours.example"));
    }

    [Fact]
    public void At_the_host_name_only_the_return_paths_are_feedback_addresses()
    {
        var configuration = TestEnvironment.LoadValid(("MAIL_DOMAINS", "ours.example"), ("MAIL_HOSTNAME", "relay.hosting.example"), ("INBOUND_ENABLED", "true"));
        var addresses = new InboundAddresses(configuration.Inbound, configuration.Domains.Select(d => d.Name), configuration.HostName);

        Assert.True(addresses.Contains("bounce+token@relay.hosting.example"));
        Assert.True(addresses.Contains("Bounce+Token@Relay.Hosting.Example."));
        Assert.False(addresses.Contains("postmaster@relay.hosting.example"));
        Assert.False(addresses.Contains("dmarc@relay.hosting.example"));
        Assert.False(addresses.Contains("bounce+token@other.hosting.example"));
        Assert.True(addresses.Contains("postmaster@ours.example"));
    }

    [Fact]
    public void Without_bounce_plus_among_the_recipients_no_return_path_is_taken_at_the_host_name()
    {
        var configuration = TestEnvironment.LoadValid(("MAIL_DOMAINS", "ours.example"), ("MAIL_HOSTNAME", "relay.hosting.example"), ("INBOUND_ENABLED", "true"), ("INBOUND_RECIPIENTS", "postmaster,dmarc"));
        var addresses = new InboundAddresses(configuration.Inbound, configuration.Domains.Select(d => d.Name), configuration.HostName);

        Assert.False(addresses.Contains("bounce+token@relay.hosting.example"));
    }

    [Fact]
    public void Inbound_mail_without_mail_domains_is_an_error_naming_the_variable()
    {
        var result = TestEnvironment.Load(("INBOUND_ENABLED", "true"));

        Assert.Contains("INBOUND_ENABLED", TestEnvironment.ErrorVariables(result));
    }

    [Fact]
    public void Forwarding_to_a_feedback_address_of_our_own_is_refused_as_a_loop()
    {
        var result = TestEnvironment.Load(("MAIL_DOMAINS", "ours.example"), ("INBOUND_ENABLED", "true"), ("INBOUND_FORWARD_TO", "abuse@ours.example"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("INBOUND_FORWARD_TO", error.Variable);
        Assert.Contains("come back", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_forward_address_store_and_age_are_taken_as_given()
    {
        var configuration = TestEnvironment.LoadValid(
            ("MAIL_DOMAINS", "ours.example"),
            ("INBOUND_ENABLED", "true"),
            ("INBOUND_FORWARD_TO", "ops@Company.Example"),
            ("DMARC_REPORTS_STORE", "true"),
            ("DMARC_REPORTS_STORE_PATH", "reports"),
            ("DMARC_REPORTS_MAX_AGE", "0"));

        Assert.Equal("ops@company.example", configuration.Inbound.ForwardTo);
        Assert.True(configuration.Inbound.DmarcReports.Store);
        Assert.Equal("/srv/relay-test/reports", configuration.Inbound.DmarcReports.StorePath);
        Assert.Equal(TimeSpan.Zero, configuration.Inbound.DmarcReports.MaxAge);
    }
}

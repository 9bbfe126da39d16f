using System.Globalization;
using System.Net;
using MailRelay.Configuration;
using MailRelay.Inbound;
using MailRelay.Inbound.Authentication;
using MailRelay.Tests.Configuration;
using MailRelay.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace MailRelay.Tests.Inbound.Authentication;

/// <summary>The INBOUND_SPF_*/DKIM_*/DMARC_* variables: their defaults, their values, and the daemon's verifier following them.</summary>
[Collection(AuthenticationDnsGroup.Name)]
public class InboundSecurityConfigurationTests(AuthenticationDnsFixture dns)
{
    [Fact]
    public void The_defaults_are_the_charts()
    {
        var settings = TestEnvironment.LoadValid().InboundSecurity;

        Assert.Equal(new InboundSecuritySettings
        {
            SpfEnabled = true,
            SpfRejectFail = true,
            SpfRejectSoftfail = false,
            DkimEnabled = true,
            DmarcEnabled = true,
            DmarcRejectOnFail = true,
            DmarcQuarantineOnFail = true,
        }, settings);
    }

    [Fact]
    public void Each_variable_sets_its_switch()
    {
        var settings = TestEnvironment.LoadValid(
            ("INBOUND_SPF_ENABLED", "false"),
            ("INBOUND_SPF_REJECT_FAIL", "no"),
            ("INBOUND_SPF_REJECT_SOFTFAIL", "yes"),
            ("INBOUND_DKIM_ENABLED", "0"),
            ("INBOUND_DMARC_ENABLED", "FALSE"),
            ("INBOUND_DMARC_REJECT_ON_FAIL", "false"),
            ("INBOUND_DMARC_QUARANTINE_ON_FAIL", "false")).InboundSecurity;

        Assert.Equal(new InboundSecuritySettings
        {
            SpfEnabled = false,
            SpfRejectFail = false,
            SpfRejectSoftfail = true,
            DkimEnabled = false,
            DmarcEnabled = false,
            DmarcRejectOnFail = false,
            DmarcQuarantineOnFail = false,
        }, settings);
    }

    [Theory]
    [InlineData("true", 550)]
    [InlineData("false", 0)]
    public async Task The_daemons_verifier_asks_dns_servers_and_follows_the_variables(string rejectFail, int expectedCode)
    {
        // DNS_SERVERS with a port: the daemon's verifier must reach dnsmasq there to see SPF fail at all.
        var endPoint = dns.Server.EndPoint;
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["DNS_SERVERS"] = $"{endPoint.Address}:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}",
            ["INBOUND_SPF_REJECT_FAIL"] = rejectFail,
        });
        var authenticator = relay.Services.GetRequiredService<IMessageAuthenticator>();
        using var message = new MemoryStream(SignedMessages.Unsigned("a@fail.test"));

        var verdict = await authenticator.VerifyAsync(
            new AuthenticationRequest(IPAddress.Parse(AuthenticationDnsFixture.ClientAddress), "client.test", "bounces@fail.test", message),
            CancellationToken.None);

        Assert.IsType<MessageAuthenticator>(authenticator);
        Assert.Equal("fail", verdict.Spf);
        Assert.Equal(expectedCode, verdict.Refusal?.Code ?? 0);
        Assert.StartsWith("Authentication-Results: relay.test.example;", verdict.AuthenticationResults, StringComparison.Ordinal);
        Assert.Contains("mailrelay_inbound_auth_verdicts_total{method=\"spf\",result=\"fail\"} 1", await relay.GetAdminAsync("/metrics"), StringComparison.Ordinal);
    }
}

using MailRelay.Configuration;

namespace MailRelay.Tests.Inbound.Authentication;

/// <summary>SPF (RFC 7208) through ARSoft's validator against records served by dnsmasq; rejection rules off so every result shows.</summary>
[Collection(AuthenticationDnsGroup.Name)]
public class SpfVerificationTests(AuthenticationDnsFixture dns)
{
    private static readonly InboundSecuritySettings RecordOnly = new() { SpfRejectFail = false, DkimEnabled = false, DmarcEnabled = false };

    [Theory]
    [InlineData("pass.test", "pass")]
    [InlineData("fail.test", "fail")]
    [InlineData("softfail.test", "softfail")]
    [InlineData("neutral.test", "neutral")]
    [InlineData("include.test", "pass")]
    [InlineData("include-fail.test", "fail")]
    [InlineData("amech.test", "pass")]
    [InlineData("mxmech.test", "pass")]
    [InlineData("redirect.test", "pass")]
    [InlineData("redirect-fail.test", "fail")]
    [InlineData("tenlookups.test", "pass")]
    [InlineData("toomany.test", "permerror")]
    [InlineData("double.test", "permerror")]
    [InlineData("badsyntax.test", "permerror")]
    [InlineData("badaddress.test", "permerror")]
    [InlineData("bare.test", "neutral")]
    [InlineData("uppercase.test", "pass")]
    [InlineData("nospf.test", "none")]
    [InlineData("nxdomain.test", "none")]
    public async Task The_mail_from_domain_gets_the_result_its_record_gives(string domain, string expected)
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);

        var verdict = await rig.VerifyAsync("bounces@" + domain, SignedMessages.Unsigned("a@" + domain));

        Assert.Equal(expected, verdict.Spf);
        Assert.Contains($"spf={expected} smtp.mailfrom=bounces@{domain}", verdict.AuthenticationResults, StringComparison.Ordinal);
        Assert.Null(verdict.Refusal);
    }

    [Theory]
    [InlineData("bounces@pass.test.", "bounces@pass.test")]
    [InlineData("\"a@b\"@pass.test", "pass.test")]
    public async Task The_mail_from_domain_is_what_follows_the_last_at_sign_without_the_root_dot(string mailFrom, string recorded)
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);

        var verdict = await rig.VerifyAsync(mailFrom, SignedMessages.Unsigned("a@pass.test"));

        Assert.Equal("pass", verdict.Spf);
        Assert.EndsWith($"spf=pass smtp.mailfrom={recorded}", verdict.AuthenticationResults, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mail_from_without_an_at_sign_has_no_domain_to_check()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);

        // pass.test would pass as a domain: the result can only be none if the text is not taken as one.
        var verdict = await rig.VerifyAsync("pass.test", SignedMessages.Unsigned("a@pass.test"));

        Assert.Equal("none", verdict.Spf);
    }

    [Fact]
    public async Task Another_client_address_fails_where_the_authorised_one_passes()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);

        var verdict = await rig.VerifyAsync("bounces@pass.test", SignedMessages.Unsigned("a@pass.test"), client: "127.0.0.10");

        Assert.Equal("fail", verdict.Spf);
    }

    [Fact]
    public async Task An_ipv4_mapped_client_address_is_checked_as_ipv4()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);

        var verdict = await rig.VerifyAsync("bounces@pass.test", SignedMessages.Unsigned("a@pass.test"), client: "::ffff:127.0.0.9");

        Assert.Equal("pass", verdict.Spf);
    }

    [Theory]
    [InlineData("helo.pass.test", "pass")]
    [InlineData("helo.fail.test", "fail")]
    [InlineData("[127.0.0.9]", "none")]
    public async Task The_null_sender_is_checked_by_its_helo_name(string helo, string expected)
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);

        var verdict = await rig.VerifyAsync(string.Empty, SignedMessages.Unsigned("mailer-daemon@pass.test"), helo);

        Assert.Equal(expected, verdict.Spf);
        if (expected != "none")
        {
            Assert.Contains($"spf={expected} smtp.helo={helo}", verdict.AuthenticationResults, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_dns_server_on_a_custom_port_is_asked()
    {
        // dnsmasq listens on a high port; the verdict can only be pass if the query reached it there.
        Assert.NotEqual(53, dns.Server.EndPoint.Port);
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);

        var verdict = await rig.VerifyAsync("bounces@include.test", SignedMessages.Unsigned("a@include.test"));

        Assert.Equal("pass", verdict.Spf);
    }

    [Fact]
    public async Task Off_it_is_neither_checked_nor_recorded()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly with { SpfEnabled = false });

        var verdict = await rig.VerifyAsync("bounces@fail.test", SignedMessages.Unsigned("a@fail.test"));

        Assert.Equal("none", verdict.Spf);
        Assert.DoesNotContain("spf=", verdict.AuthenticationResults, StringComparison.Ordinal);
        Assert.Null(verdict.Refusal);
    }
}

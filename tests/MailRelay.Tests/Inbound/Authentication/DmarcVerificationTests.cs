using MailRelay.Configuration;

namespace MailRelay.Tests.Inbound.Authentication;

/// <summary>DMARC (RFC 7489): policy discovery, organizational fallback and alignment, with refusal off so the result shows.</summary>
[Collection(AuthenticationDnsGroup.Name)]
public class DmarcVerificationTests(AuthenticationDnsFixture dns)
{
    private static readonly InboundSecuritySettings RecordOnly = new()
    {
        SpfRejectFail = false,
        DmarcRejectOnFail = false,
        DmarcQuarantineOnFail = false,
    };

    [Fact]
    public async Task An_aligned_dkim_pass_passes()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);
        var message = SignedMessages.Sign(SignedMessages.Unsigned("a@signed.test"), dns.SigningKey, "signed.test", "sel");

        var verdict = await rig.VerifyAsync("bounces@fail.test", message);

        Assert.Equal("pass", verdict.Dmarc);
        Assert.Null(verdict.DmarcPolicy);
        Assert.Contains("dmarc=pass (p=reject sp=reject dis=none) header.from=signed.test", verdict.AuthenticationResults, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_aligned_spf_pass_passes()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);

        var verdict = await rig.VerifyAsync("bounces@bounce.relaxed.test", SignedMessages.Unsigned("a@relaxed.test"));

        Assert.Equal("pass", verdict.Spf);
        Assert.Equal("pass", verdict.Dmarc);
    }

    [Fact]
    public async Task Passing_spf_and_dkim_of_other_domains_fail_and_the_policy_is_reported()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);
        var message = SignedMessages.Sign(SignedMessages.Unsigned("a@reject.test"), dns.SigningKey, "signed.test", "sel");

        var verdict = await rig.VerifyAsync("bounces@pass.test", message);

        Assert.Equal("pass", verdict.Spf);
        Assert.Equal("pass", verdict.Dkim);
        Assert.Equal("fail", verdict.Dmarc);
        Assert.Equal("reject", verdict.DmarcPolicy);
        Assert.Contains("dmarc=fail (p=reject sp=reject dis=none) header.from=reject.test", verdict.AuthenticationResults, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("quarantine.test", "quarantine")]
    [InlineData("monitor.test", "none")]
    public async Task The_policy_asked_for_is_reported(string domain, string policy)
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);

        var verdict = await rig.VerifyAsync("bounces@pass.test", SignedMessages.Unsigned("a@" + domain));

        Assert.Equal("fail", verdict.Dmarc);
        Assert.Equal(policy, verdict.DmarcPolicy);
    }

    [Fact]
    public async Task A_subdomain_without_a_record_gets_the_organizational_domains_subdomain_policy()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);

        var verdict = await rig.VerifyAsync("bounces@pass.test", SignedMessages.Unsigned("a@sub.org.test"));

        Assert.Equal("fail", verdict.Dmarc);
        Assert.Equal("reject", verdict.DmarcPolicy);
        Assert.Contains("header.from=sub.org.test", verdict.AuthenticationResults, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Relaxed_alignment_takes_a_subdomain_of_the_from_domain()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);
        var message = SignedMessages.Sign(SignedMessages.Unsigned("a@news.signed.test"), dns.SigningKey, "signed.test", "sel");

        var verdict = await rig.VerifyAsync("bounces@fail.test", message);

        Assert.Equal("pass", verdict.Dmarc);
    }

    [Fact]
    public async Task Strict_spf_alignment_refuses_a_subdomain()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);

        var strict = await rig.VerifyAsync("bounces@bounce.strict.test", SignedMessages.Unsigned("a@strict.test"));
        var exact = await rig.VerifyAsync("bounces@strict.test", SignedMessages.Unsigned("a@strict.test"));

        Assert.Equal("pass", strict.Spf);
        Assert.Equal("fail", strict.Dmarc);
        Assert.Equal("pass", exact.Dmarc);
    }

    [Fact]
    public async Task Strict_dkim_alignment_refuses_a_parent_domain_signature()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);
        var message = SignedMessages.Sign(SignedMessages.Unsigned("a@news.aligned.test"), dns.SigningKey, "aligned.test", "sel");
        var exact = SignedMessages.Sign(SignedMessages.Unsigned("a@aligned.test"), dns.SigningKey, "aligned.test", "sel");

        var subdomain = await rig.VerifyAsync("bounces@fail.test", message);
        var same = await rig.VerifyAsync("bounces@fail.test", exact);

        Assert.Equal("pass", subdomain.Dkim);
        Assert.Equal("fail", subdomain.Dmarc);
        Assert.Equal("reject", subdomain.DmarcPolicy);
        Assert.Equal("pass", same.Dmarc);
    }

    [Fact]
    public async Task A_domain_without_a_record_is_none()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);

        var verdict = await rig.VerifyAsync("bounces@fail.test", SignedMessages.Unsigned("a@pass.test"));

        Assert.Equal("none", verdict.Dmarc);
        Assert.Null(verdict.DmarcPolicy);
        Assert.Contains("dmarc=none header.from=pass.test", verdict.AuthenticationResults, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_with_an_invalid_policy_is_a_permanent_error_unless_it_names_a_report_address()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);

        var broken = await rig.VerifyAsync("bounces@fail.test", SignedMessages.Unsigned("a@broken.test"));
        var reportOnly = await rig.VerifyAsync("bounces@fail.test", SignedMessages.Unsigned("a@reportonly.test"));

        Assert.Equal("permerror", broken.Dmarc);
        Assert.Equal("fail", reportOnly.Dmarc);
        Assert.Equal("none", reportOnly.DmarcPolicy);
    }

    [Fact]
    public async Task Two_from_addresses_of_different_domains_are_a_permanent_error()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly);
        var message = System.Text.Encoding.ASCII.GetBytes(
            "From: a@reject.test, b@pass.test\r\nTo: dmarc@relay.test\r\nSubject: x\r\n\r\nHello.\r\n");

        var verdict = await rig.VerifyAsync("bounces@fail.test", message);

        Assert.Equal("permerror", verdict.Dmarc);
    }

    [Fact]
    public async Task Off_no_policy_is_looked_up()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, RecordOnly with { DmarcEnabled = false });

        var verdict = await rig.VerifyAsync("bounces@pass.test", SignedMessages.Unsigned("a@reject.test"));

        Assert.Equal("none", verdict.Dmarc);
        Assert.Null(verdict.DmarcPolicy);
        Assert.DoesNotContain("dmarc=", verdict.AuthenticationResults, StringComparison.Ordinal);
    }
}

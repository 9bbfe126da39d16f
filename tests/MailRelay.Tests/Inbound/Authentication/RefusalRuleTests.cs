using MailRelay.Configuration;

namespace MailRelay.Tests.Inbound.Authentication;

/// <summary>INBOUND_SPF_REJECT_*, INBOUND_DMARC_REJECT_ON_FAIL and INBOUND_DMARC_QUARANTINE_ON_FAIL, each on and off.</summary>
[Collection(AuthenticationDnsGroup.Name)]
public class RefusalRuleTests(AuthenticationDnsFixture dns)
{
    private static readonly InboundSecuritySettings Nothing = new()
    {
        SpfRejectFail = false,
        SpfRejectSoftfail = false,
        DmarcRejectOnFail = false,
        DmarcQuarantineOnFail = false,
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Spf_fail_is_refused_with_5_7_23_only_when_asked(bool rejectFail)
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, Nothing with { SpfRejectFail = rejectFail });

        var verdict = await rig.VerifyAsync("bounces@fail.test", SignedMessages.Unsigned("a@fail.test"));

        Assert.Equal("fail", verdict.Spf);
        if (rejectFail)
        {
            Assert.NotNull(verdict.Refusal);
            Assert.Equal(550, verdict.Refusal.Code);
            Assert.Equal("5.7.23", verdict.Refusal.EnhancedCode);
            Assert.Contains("fail.test", verdict.Refusal.Lines[0], StringComparison.Ordinal);
            Assert.Equal(1, await rig.SampleAsync("mailrelay_inbound_auth_refused_total", ("rule", "spf_fail")));
        }
        else
        {
            Assert.Null(verdict.Refusal);
            Assert.Equal(0, await rig.SampleAsync("mailrelay_inbound_auth_refused_total", ("rule", "spf_fail")));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Spf_softfail_is_refused_only_when_asked(bool rejectSoftfail)
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, Nothing with { SpfRejectFail = true, SpfRejectSoftfail = rejectSoftfail });

        var verdict = await rig.VerifyAsync("bounces@softfail.test", SignedMessages.Unsigned("a@softfail.test"));

        Assert.Equal("softfail", verdict.Spf);
        Assert.Equal(rejectSoftfail ? "550 5.7.23" : null, verdict.Refusal is { } r ? $"{r.Code} {r.EnhancedCode}" : null);
        Assert.Equal(rejectSoftfail ? 1 : 0, await rig.SampleAsync("mailrelay_inbound_auth_refused_total", ("rule", "spf_softfail")));
    }

    [Fact]
    public async Task The_softfail_rule_alone_does_not_refuse_a_hard_fail()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, Nothing with { SpfRejectSoftfail = true });

        var verdict = await rig.VerifyAsync("bounces@fail.test", SignedMessages.Unsigned("a@fail.test"));

        Assert.Null(verdict.Refusal);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public async Task Dmarc_reject_is_refused_with_5_7_1_only_when_asked(bool rejectOnFail, bool quarantineOnFail)
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, Nothing with { DmarcRejectOnFail = rejectOnFail, DmarcQuarantineOnFail = quarantineOnFail });

        var verdict = await rig.VerifyAsync("bounces@pass.test", SignedMessages.Unsigned("a@reject.test"));

        Assert.Equal("fail", verdict.Dmarc);
        Assert.Equal("reject", verdict.DmarcPolicy);
        if (rejectOnFail)
        {
            Assert.NotNull(verdict.Refusal);
            Assert.Equal(550, verdict.Refusal.Code);
            Assert.Equal("5.7.1", verdict.Refusal.EnhancedCode);
            Assert.Contains("dis=reject", verdict.AuthenticationResults, StringComparison.Ordinal);
            Assert.Equal(1, await rig.SampleAsync("mailrelay_inbound_auth_refused_total", ("rule", "dmarc_reject")));
        }
        else
        {
            // Not enforced: quarantined instead when that rule is on (RFC 7489 §6.6.4 leaves the choice to the receiver).
            Assert.Null(verdict.Refusal);
            Assert.Equal(quarantineOnFail, verdict.Quarantine);
            Assert.Contains(quarantineOnFail ? "dis=quarantine" : "dis=none", verdict.AuthenticationResults, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Dmarc_quarantine_marks_the_message_only_when_asked(bool quarantineOnFail)
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, Nothing with { DmarcRejectOnFail = true, DmarcQuarantineOnFail = quarantineOnFail });

        var verdict = await rig.VerifyAsync("bounces@pass.test", SignedMessages.Unsigned("a@quarantine.test"));

        Assert.Null(verdict.Refusal);
        Assert.Equal(quarantineOnFail, verdict.Quarantine);
        Assert.Contains(quarantineOnFail ? "(p=quarantine sp=quarantine dis=quarantine)" : "(p=quarantine sp=quarantine dis=none)",
            verdict.AuthenticationResults, StringComparison.Ordinal);
        Assert.Equal(quarantineOnFail ? 1 : 0, await rig.SampleAsync("mailrelay_inbound_auth_quarantined_total"));
    }

    [Fact]
    public async Task A_p_none_failure_is_neither_refused_nor_quarantined()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint);

        var verdict = await rig.VerifyAsync("bounces@pass.test", SignedMessages.Unsigned("a@monitor.test"));

        Assert.Equal("fail", verdict.Dmarc);
        Assert.Null(verdict.Refusal);
        Assert.False(verdict.Quarantine);
    }

    [Fact]
    public async Task A_message_outside_the_pct_sample_gets_the_next_weaker_policy()
    {
        // pct=0: no message is subject to p=reject, so it is quarantined instead (RFC 7489 §6.6.4).
        var rig = new AuthenticationRig(dns.Server.EndPoint);

        var verdict = await rig.VerifyAsync("bounces@pass.test", SignedMessages.Unsigned("a@sampled.test"));

        Assert.Equal("fail", verdict.Dmarc);
        Assert.Equal("reject", verdict.DmarcPolicy);
        Assert.Null(verdict.Refusal);
        Assert.True(verdict.Quarantine);
    }

    [Fact]
    public async Task With_the_defaults_spf_fail_is_refused_before_dmarc()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint);

        var verdict = await rig.VerifyAsync("bounces@fail.test", SignedMessages.Unsigned("a@reject.test"));

        Assert.Equal("5.7.23", verdict.Refusal?.EnhancedCode);
        Assert.Equal(1, await rig.SampleAsync("mailrelay_inbound_auth_verdicts_total", ("method", "spf"), ("result", "fail")));
        Assert.Equal(1, await rig.SampleAsync("mailrelay_inbound_auth_verdicts_total", ("method", "dmarc"), ("result", "fail")));
        Assert.Equal(1, await rig.SampleAsync("mailrelay_inbound_auth_verdicts_total", ("method", "dkim"), ("result", "none")));
        Assert.Equal(0, await rig.SampleAsync("mailrelay_inbound_auth_refused_total", ("rule", "dmarc_reject")));
    }
}

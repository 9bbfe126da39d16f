using MailRelay.Configuration;

namespace MailRelay.Tests.Inbound.Authentication;

/// <summary>DKIM (RFC 6376) with MimeKit's verifier, keys from dnsmasq; every signature reported, the best one summarised.</summary>
[Collection(AuthenticationDnsGroup.Name)]
public class DkimVerificationTests(AuthenticationDnsFixture dns)
{
    private static readonly InboundSecuritySettings DkimOnly = new() { SpfEnabled = false, DmarcEnabled = false };

    [Fact]
    public async Task A_signature_made_with_the_published_key_passes()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, DkimOnly);
        var message = SignedMessages.Sign(SignedMessages.Unsigned("a@signed.test"), dns.SigningKey, "signed.test", "sel");

        var verdict = await rig.VerifyAsync("a@signed.test", message);

        Assert.Equal("pass", verdict.Dkim);
        Assert.Matches(@"dkim=pass header\.d=signed\.test header\.s=sel header\.b=""?[A-Za-z0-9+/]{8}", verdict.AuthenticationResults);
    }

    [Fact]
    public async Task A_signature_by_an_independent_signer_passes_and_fails_when_the_body_changes()
    {
        // python3-dkim, relaxed/simple: a different implementation and a different body canonicalization.
        var rig = new AuthenticationRig(dns.Server.EndPoint, DkimOnly);
        var signed = PythonDkimSigner.Sign(SignedMessages.Unsigned("a@signed.test", "Line one.\r\n  Indented  line.\r\n"), dns.SigningKey, "signed.test", "sel");

        var intact = await rig.VerifyAsync("a@signed.test", signed);
        var altered = await rig.VerifyAsync("a@signed.test", SignedMessages.WithBody(signed, "Line one.\r\n Indented line.\r\n"));

        Assert.Equal("pass", intact.Dkim);
        Assert.Equal("fail", altered.Dkim);
    }

    [Fact]
    public async Task An_altered_body_fails()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, DkimOnly);
        var signed = SignedMessages.Sign(SignedMessages.Unsigned("a@signed.test"), dns.SigningKey, "signed.test", "sel");

        var verdict = await rig.VerifyAsync("a@signed.test", SignedMessages.WithBody(signed, "Hello, changed.\r\n"));

        Assert.Equal("fail", verdict.Dkim);
        Assert.Contains("dkim=fail (signature did not verify) header.d=signed.test", verdict.AuthenticationResults, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signature_by_another_key_fails()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, DkimOnly);
        var message = SignedMessages.Sign(SignedMessages.Unsigned("a@signed.test"), dns.OtherKey, "signed.test", "sel");

        var verdict = await rig.VerifyAsync("a@signed.test", message);

        Assert.Equal("fail", verdict.Dkim);
    }

    [Theory]
    [InlineData("gone", "no key for signature")]
    [InlineData("revoked", "key revoked")]
    [InlineData("broken", "key syntax error")]
    public async Task A_missing_revoked_or_broken_key_is_a_permanent_error(string selector, string reason)
    {
        // RFC 6376 §6.1.2: no key record (NXDOMAIN), an empty p= and an unparsable key are PERMFAIL.
        var rig = new AuthenticationRig(dns.Server.EndPoint, DkimOnly);
        var message = SignedMessages.Sign(SignedMessages.Unsigned("a@signed.test"), dns.SigningKey, "signed.test", selector);

        var verdict = await rig.VerifyAsync("a@signed.test", message);

        Assert.Equal("permerror", verdict.Dkim);
        Assert.Contains($"dkim=permerror ({reason}) header.d=signed.test header.s={selector}", verdict.AuthenticationResults, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_under_1024_bits_is_not_accepted()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, DkimOnly);
        var message = SignedMessages.Sign(SignedMessages.Unsigned("a@signed.test"), dns.ShortKey, "signed.test", "short");

        var verdict = await rig.VerifyAsync("a@signed.test", message);

        Assert.Equal("policy", verdict.Dkim);
        Assert.Contains("dkim=policy (key too short)", verdict.AuthenticationResults, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsigned_message_is_none()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, DkimOnly);

        var verdict = await rig.VerifyAsync("a@signed.test", SignedMessages.Unsigned("a@signed.test"));

        Assert.Equal("none", verdict.Dkim);
        Assert.Contains("dkim=none", verdict.AuthenticationResults, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_signature_is_reported_and_the_best_is_the_summary()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, DkimOnly);
        var once = SignedMessages.Sign(SignedMessages.Unsigned("a@signed.test"), dns.SigningKey, "other.test", "gone");
        var twice = SignedMessages.Sign(once, dns.SigningKey, "signed.test", "sel");

        var verdict = await rig.VerifyAsync("a@signed.test", twice);

        Assert.Equal("pass", verdict.Dkim);
        Assert.Contains("dkim=pass header.d=signed.test header.s=sel", verdict.AuthenticationResults, StringComparison.Ordinal);
        Assert.Contains("dkim=permerror (no key for signature) header.d=other.test header.s=gone", verdict.AuthenticationResults, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_signatures_are_not_checked()
    {
        var rig = new AuthenticationRig(dns.Server.EndPoint, DkimOnly with { DkimEnabled = false });
        var message = SignedMessages.Sign(SignedMessages.Unsigned("a@signed.test"), dns.SigningKey, "signed.test", "sel");

        var verdict = await rig.VerifyAsync("a@signed.test", message);

        Assert.Equal("none", verdict.Dkim);
        Assert.DoesNotContain("dkim=", verdict.AuthenticationResults, StringComparison.Ordinal);
    }
}

using System.Net;
using System.Net.Sockets;

namespace MailRelay.Tests.Inbound.Authentication;

/// <summary>
/// A DNS server that never answers: every method ends in temperror, and no rule refuses (the message is accepted with the
/// results recorded, as Postfix's policyd-spf does by default).
/// </summary>
[Collection(AuthenticationDnsGroup.Name)]
public sealed class TemporaryErrorTests(AuthenticationDnsFixture dns) : IDisposable
{
    private readonly UdpClient _silent = new(new IPEndPoint(IPAddress.Parse("127.0.0.54"), 0));

    [Fact]
    public async Task A_dns_timeout_is_temperror_and_never_refuses()
    {
        var rig = new AuthenticationRig((IPEndPoint)_silent.Client.LocalEndPoint!, dnsTimeout: TimeSpan.FromMilliseconds(200));
        var message = SignedMessages.Sign(SignedMessages.Unsigned("a@reject.test"), dns.SigningKey, "reject.test", "sel");

        var verdict = await rig.VerifyAsync("bounces@fail.test", message);

        Assert.Equal("temperror", verdict.Spf);
        Assert.Equal("temperror", verdict.Dkim);
        Assert.Equal("temperror", verdict.Dmarc);
        Assert.Null(verdict.Refusal);
        Assert.False(verdict.Quarantine);
        Assert.Contains("spf=temperror smtp.mailfrom=bounces@fail.test", verdict.AuthenticationResults, StringComparison.Ordinal);
        Assert.Contains("dkim=temperror (key lookup failed) header.d=reject.test", verdict.AuthenticationResults, StringComparison.Ordinal);
        Assert.Contains("dmarc=temperror header.from=reject.test", verdict.AuthenticationResults, StringComparison.Ordinal);
        Assert.Equal(1, await rig.SampleAsync("mailrelay_inbound_auth_verdicts_total", ("method", "spf"), ("result", "temperror")));
    }

    [Fact]
    public async Task An_aligned_signature_whose_key_cannot_be_had_makes_dmarc_temperror_not_fail()
    {
        // The policy (p=reject) is answered; the key of the only aligned signature is not. It might have passed.
        var rig = new AuthenticationRig(dns.Server.EndPoint, dnsTimeout: TimeSpan.FromMilliseconds(500));
        var message = SignedMessages.Sign(SignedMessages.Unsigned("a@signed.test"), dns.SigningKey, "signed.test", "unanswered");

        var verdict = await rig.VerifyAsync("bounces@fail.test", message);

        Assert.Equal("fail", verdict.Spf);
        Assert.Equal("temperror", verdict.Dkim);
        Assert.Equal("temperror", verdict.Dmarc);
        Assert.Null(verdict.DmarcPolicy);
        Assert.Equal("5.7.23", verdict.Refusal?.EnhancedCode);
    }

    [Fact]
    public async Task What_has_not_finished_by_the_deadline_is_temperror()
    {
        // The resolver would wait a minute; the verifier's own deadline (on its clock) ends the wait.
        var rig = new AuthenticationRig((IPEndPoint)_silent.Client.LocalEndPoint!, dnsTimeout: TimeSpan.FromMinutes(1), deadline: TimeSpan.FromSeconds(20));

        var verifying = rig.VerifyAsync("bounces@fail.test", SignedMessages.Unsigned("a@reject.test"));
        Assert.False(verifying.IsCompleted);
        rig.Time.Advance(TimeSpan.FromSeconds(20));
        var verdict = await verifying;

        Assert.Equal("temperror", verdict.Spf);
        Assert.Equal("temperror", verdict.Dmarc);
        Assert.Null(verdict.Refusal);
    }

    public void Dispose() => _silent.Dispose();
}

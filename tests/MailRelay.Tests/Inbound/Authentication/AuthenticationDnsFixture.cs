using System.Security.Cryptography;
using MailRelay.Tests.Dns;

namespace MailRelay.Tests.Inbound.Authentication;

/// <summary>
/// A real dnsmasq on loopback serving SPF policies, DKIM keys and DMARC records for the verification tests, with RSA keys
/// generated for this run. The client address the SPF records authorise is <see cref="ClientAddress"/>.
/// </summary>
public sealed class AuthenticationDnsFixture : IDisposable
{
    public const string ClientAddress = "127.0.0.9";

    public AuthenticationDnsFixture()
    {
        SigningKey = RSA.Create(2048);
        OtherKey = RSA.Create(2048);
        ShortKey = RSA.Create(512);
        Server = DnsmasqServer.Start(Records());
    }

    /// <summary>Published at <c>sel._domainkey.signed.test</c> (and at other domains, see <see cref="Records"/>).</summary>
    public RSA SigningKey { get; }

    /// <summary>A key that is published nowhere: signatures made with it cannot verify against the published key.</summary>
    public RSA OtherKey { get; }

    /// <summary>512 bits, published at <c>short._domainkey.signed.test</c>: below what a verifier may accept (RFC 8301).</summary>
    public RSA ShortKey { get; }

    public DnsmasqServer Server { get; }

    public void Dispose()
    {
        Server.Dispose();
        SigningKey.Dispose();
        OtherKey.Dispose();
        ShortKey.Dispose();
    }

    private List<string> Records()
    {
        var tooMany = string.Join(' ', Enumerable.Range(1, 10).Select(i => $"a:l{i}.none.test"));
        var nineThenMatch = string.Join(' ', Enumerable.Range(1, 9).Select(i => $"a:l{i}.none.test"));
        var records = new List<string>
        {
            // SPF (RFC 7208).
            Txt("pass.test", "v=spf1 ip4:127.0.0.9 -all"),
            Txt("fail.test", "v=spf1 ip4:192.0.2.1 -all"),
            Txt("softfail.test", "v=spf1 ip4:192.0.2.1 ~all"),
            Txt("neutral.test", "v=spf1 ?all"),
            Txt("include.test", "v=spf1 include:pass.test -all"),
            Txt("include-fail.test", "v=spf1 include:fail.test -all"),
            Txt("amech.test", "v=spf1 a:host.amech.test -all"),
            "--host-record=host.amech.test,127.0.0.9",
            Txt("mxmech.test", "v=spf1 mx -all"),
            "--mx-host=mxmech.test,mail.mxmech.test,10",
            "--host-record=mail.mxmech.test,127.0.0.9",
            Txt("redirect.test", "v=spf1 redirect=pass.test"),
            Txt("redirect-fail.test", "v=spf1 redirect=fail.test"),
            // Eleven DNS-querying terms: one past the limit of ten (§4.6.4); ten with the last matching is still a pass.
            Txt("toomany.test", $"v=spf1 {tooMany} a:host.amech.test -all"),
            Txt("tenlookups.test", $"v=spf1 {nineThenMatch} a:host.amech.test -all"),
            Txt("double.test", "v=spf1 ip4:127.0.0.9 -all"),
            Txt("double.test", "v=spf1 -all"),
            // Syntax errors after a matching term: still permerror (§4.6), though evaluation would never reach them.
            Txt("badsyntax.test", "v=spf1 ip4:127.0.0.9 frobnicate:x -all"),
            Txt("badaddress.test", "v=spf1 ip4:127.0.0.9 ip4:300.1.1.1 -all"),
            Txt("bare.test", "v=spf1"),
            Txt("uppercase.test", "V=SPF1 ip4:127.0.0.9 -all"),
            Txt("helo.pass.test", "v=spf1 ip4:127.0.0.9 -all"),
            Txt("helo.fail.test", "v=spf1 -all"),
            "--host-record=nospf.test,127.0.0.9",

            // DKIM keys (RFC 6376 §3.6.1): 2048-bit keys need two character-strings.
            KeyRecord("sel._domainkey.signed.test", SigningKey),
            KeyRecord("sel._domainkey.aligned.test", SigningKey),
            KeyRecord("short._domainkey.signed.test", ShortKey),
            Txt("revoked._domainkey.signed.test", "v=DKIM1; k=rsa; p="),
            Txt("broken._domainkey.signed.test", "v=DKIM1; k=rsa; p=bm90IGEga2V5"),
            // A key whose lookup gets no answer: forwarded to a port where nothing listens.
            "--server=/unanswered._domainkey.signed.test/127.0.0.1#1",

            // DMARC (RFC 7489).
            Txt("_dmarc.signed.test", "v=DMARC1; p=reject"),
            Txt("_dmarc.reject.test", "v=DMARC1; p=reject"),
            Txt("_dmarc.quarantine.test", "v=DMARC1; p=quarantine"),
            Txt("_dmarc.monitor.test", "v=DMARC1; p=none"),
            Txt("_dmarc.sampled.test", "v=DMARC1; p=reject; pct=0"),
            Txt("_dmarc.broken.test", "v=DMARC1; p=bogus"),
            Txt("_dmarc.reportonly.test", "v=DMARC1; p=bogus; rua=mailto:dmarc@reportonly.test"),
            // Organizational fallback: sub.org.test has no record, org.test asks for sp=reject.
            Txt("_dmarc.org.test", "v=DMARC1; p=quarantine; sp=reject"),
            Txt("_dmarc.relaxed.test", "v=DMARC1; p=reject"),
            Txt("_dmarc.strict.test", "v=DMARC1; p=reject; aspf=s; adkim=s"),
            Txt("_dmarc.aligned.test", "v=DMARC1; p=reject; adkim=s"),
            Txt("bounce.relaxed.test", "v=spf1 ip4:127.0.0.9 -all"),
            Txt("bounce.strict.test", "v=spf1 ip4:127.0.0.9 -all"),
            Txt("strict.test", "v=spf1 ip4:127.0.0.9 -all"),
        };
        return records;
    }

    private static string Txt(string name, params string[] strings) => "--txt-record=" + name + "," + string.Join(',', strings);

    private static string KeyRecord(string name, RSA key)
    {
        var text = "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        var strings = text.Chunk(250).Select(c => new string(c)).ToArray();
        return Txt(name, strings);
    }
}

using System.Net;
using MailRelay.Dns;
using MailRelay.DnsPublishing;
using MailRelay.Tests.Dns;

namespace MailRelay.Tests.DnsPublishing;

/// <summary><c>dns status</c>'s checks against a real name server (dnsmasq): what resolvers answer, and the PTR.</summary>
public sealed class PublishedRecordResolverTests : IDisposable
{
    private readonly DnsmasqServer _dns = DnsmasqServer.Start(
    [
        "--host-record=mail.published.test,203.0.113.9",
        "--host-record=elsewhere.test,203.0.113.10",
        "--mx-host=published.test,mail.published.test,10",
        "--txt-record=published.test,google-site-verification=abc",
        "--txt-record=published.test,v=spf1 ip4:203.0.113.9 a:mail.published.test ~all",
        "--txt-record=_dmarc.published.test,v=DMARC1; p=reject",
    ]);

    public void Dispose() => _dns.Dispose();

    [Fact]
    public async Task Records_that_resolve_as_desired_are_visible_and_others_show_what_resolvers_answer()
    {
        var resolver = Resolver();

        var address = await resolver.CheckAsync(new DesiredRecordSet(RecordKind.A, "mail.published.test", ["203.0.113.9"], 300), CancellationToken.None);
        var mx = await resolver.CheckAsync(new DesiredRecordSet(RecordKind.Mx, "published.test", ["10 mail.published.test"], 300), CancellationToken.None);
        var spf = await resolver.CheckAsync(new DesiredRecordSet(RecordKind.Spf, "published.test", ["v=spf1 ip4:203.0.113.9 a:mail.published.test ~all"], 300), CancellationToken.None);
        var dmarc = await resolver.CheckAsync(new DesiredRecordSet(RecordKind.Dmarc, "_dmarc.published.test", ["v=DMARC1; p=none; rua=mailto:postmaster@published.test"], 300), CancellationToken.None);
        var missing = await resolver.CheckAsync(new DesiredRecordSet(RecordKind.Dkim, "mail._domainkey.published.test", ["v=DKIM1; k=rsa; p=AAAA"], 300), CancellationToken.None);

        Assert.True(address.Visible);
        Assert.True(mx.Visible);
        Assert.True(spf.Visible);
        Assert.False(dmarc.Visible);
        Assert.Equal(["v=DMARC1; p=reject"], dmarc.Answer);
        Assert.False(missing.Visible);
        Assert.Empty(missing.Answer);
    }

    [Fact]
    public async Task The_ptr_check_passes_only_when_the_reverse_name_is_the_mail_host()
    {
        var resolver = Resolver();

        var right = await resolver.CheckPtrAsync(IPAddress.Parse("203.0.113.9"), "mail.published.test.", CancellationToken.None);
        var wrong = await resolver.CheckPtrAsync(IPAddress.Parse("203.0.113.10"), "mail.published.test", CancellationToken.None);

        Assert.True(right.NamesHost);
        Assert.Equal(["mail.published.test"], right.Names);
        Assert.False(wrong.NamesHost);
        Assert.Equal(["elsewhere.test"], wrong.Names);
    }

    private PublishedRecordResolver Resolver() =>
        new(DnsLookupClientFactory.Create([_dns.EndPoint], DnsLookupClientFactory.DefaultTimeout));
}

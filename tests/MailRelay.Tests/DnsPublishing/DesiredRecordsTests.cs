using System.Net;
using MailRelay.DnsPublishing;
using MailRelay.Tests.Configuration;

namespace MailRelay.Tests.DnsPublishing;

public class DesiredRecordsTests
{
    private static readonly DkimPublicKey Key = new("example.com", "mail", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA");

    [Fact]
    public void Direct_delivery_publishes_the_seeds_records_with_every_address_in_the_spf()
    {
        var configuration = TestEnvironment.LoadValid(
            ("MAIL_HOSTNAME", "mail.example.com"), ("MAIL_DOMAINS", "example.com"), ("DNS_PROVIDER", "cloudflare"),
            ("CLOUDFLARE_API_TOKEN", "token"), ("DNS_EXTERNAL_IPS", "203.0.113.1,203.0.113.2"));

        var sets = DesiredRecords.Compute(configuration, [Key], [IPAddress.Parse("203.0.113.1"), IPAddress.Parse("203.0.113.2")]);

        Assert.Equal(
            [
                "A mail.example.com 203.0.113.1|203.0.113.2",
                "Mx example.com 10 mail.example.com",
                "Spf example.com v=spf1 ip4:203.0.113.1 ip4:203.0.113.2 a:mail.example.com ~all",
                "Dkim mail._domainkey.example.com v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
                "Dmarc _dmarc.example.com v=DMARC1; p=none; rua=mailto:postmaster@example.com",
            ],
            sets.Select(Describe));
        Assert.All(sets, s => Assert.Equal(300, s.Ttl));
    }

    [Fact]
    public void An_ipv6_address_gets_an_aaaa_record_and_an_ip6_mechanism()
    {
        var configuration = TestEnvironment.LoadValid(
            ("MAIL_HOSTNAME", "mail.example.com"), ("MAIL_DOMAINS", "example.com"), ("DNS_RECORDS", "a,spf"));

        var sets = DesiredRecords.Compute(configuration, [], [IPAddress.Parse("203.0.113.1"), IPAddress.Parse("2001:db8::25")]);

        Assert.Equal(
            [
                "A mail.example.com 203.0.113.1",
                "Aaaa mail.example.com 2001:db8::25",
                "Spf example.com v=spf1 ip4:203.0.113.1 ip6:2001:db8::25 a:mail.example.com ~all",
            ],
            sets.Select(Describe));
    }

    [Fact]
    public void Through_a_smarthost_the_spf_names_the_smarthost_and_not_our_addresses()
    {
        var configuration = TestEnvironment.LoadValid(
            ("MAIL_HOSTNAME", "mail.example.com"), ("MAIL_DOMAINS", "example.com"), ("RELAY_HOST", "smtp.gmail.com"),
            ("DNS_SPF_INCLUDE", "include:_spf.google.com"), ("DNS_SPF_POLICY", "-all"), ("DNS_RECORDS", "spf"));

        var sets = DesiredRecords.Compute(configuration, [], [IPAddress.Parse("203.0.113.1")]);

        Assert.Equal(["Spf example.com v=spf1 include:_spf.google.com -all"], sets.Select(Describe));
    }

    [Fact]
    public void Through_a_smarthost_without_an_include_no_spf_is_published_and_the_start_warns()
    {
        var result = TestEnvironment.Load(
            ("MAIL_HOSTNAME", "mail.example.com"), ("MAIL_DOMAINS", "example.com"), ("RELAY_HOST", "smtp.gmail.com"),
            ("DNS_PROVIDER", "cloudflare"), ("CLOUDFLARE_API_TOKEN", "token"), ("DNS_EXTERNAL_IPS", "203.0.113.1"));

        Assert.True(result.IsValid);
        var warning = Assert.Single(result.Warnings, w => w.Variable == "DNS_SPF_INCLUDE");
        Assert.Contains("smtp.gmail.com", warning.Message, StringComparison.Ordinal);
        var sets = DesiredRecords.Compute(result.Configuration, [], [IPAddress.Parse("203.0.113.1")]);
        Assert.DoesNotContain(sets, s => s.Kind == RecordKind.Spf);
        Assert.Contains(sets, s => s.Kind == RecordKind.Mx);
    }

    [Fact]
    public void Dmarc_takes_the_policy_the_report_address_and_pct_only_when_set()
    {
        var withPct = TestEnvironment.LoadValid(
            ("MAIL_DOMAINS", "example.com"), ("DNS_RECORDS", "dmarc"), ("DNS_DMARC_POLICY", "quarantine"),
            ("DNS_DMARC_RUA", "mailto:dmarc@reports.example.net"), ("DNS_DMARC_PCT", "25"));
        var withoutPct = TestEnvironment.LoadValid(("MAIL_DOMAINS", "example.com"), ("DNS_RECORDS", "dmarc"), ("DNS_DMARC_POLICY", "reject"));

        Assert.Equal(
            "Dmarc _dmarc.example.com v=DMARC1; p=quarantine; rua=mailto:dmarc@reports.example.net; pct=25",
            Describe(Assert.Single(DesiredRecords.Compute(withPct, [], []))));
        Assert.Equal(
            "Dmarc _dmarc.example.com v=DMARC1; p=reject; rua=mailto:postmaster@example.com",
            Describe(Assert.Single(DesiredRecords.Compute(withoutPct, [], []))));
    }

    [Fact]
    public void Every_key_on_disk_is_published_including_a_new_selector_and_a_dkim_only_domain()
    {
        var configuration = TestEnvironment.LoadValid(
            ("MAIL_DOMAINS", "example.com"), ("DKIM_DOMAINS", "example.com,news.example.org"), ("DNS_RECORDS", "dkim,mx"),
            ("MAIL_HOSTNAME", "mail.example.com"), ("DNS_MX_PRIORITY", "20"), ("DNS_TTL", "3600"));
        DkimPublicKey[] keys = [Key, Key with { Selector = "mail2026" }, new("news.example.org", "mail", "AAAA")];

        var sets = DesiredRecords.Compute(configuration, keys, []);

        Assert.Equal(
            [
                "Mx example.com 20 mail.example.com",
                "Dkim mail._domainkey.example.com v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
                "Dkim mail2026._domainkey.example.com v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
                "Dkim mail._domainkey.news.example.org v=DKIM1; k=rsa; p=AAAA",
            ],
            sets.Select(Describe));
        Assert.All(sets, s => Assert.Equal(3600, s.Ttl));
    }

    [Fact]
    public void Only_the_kinds_in_dns_records_are_wanted()
    {
        var configuration = TestEnvironment.LoadValid(("MAIL_DOMAINS", "example.com,example.org"), ("DNS_RECORDS", "mx"), ("MAIL_HOSTNAME", "mail.example.com"));

        var sets = DesiredRecords.Compute(configuration, [Key], [IPAddress.Parse("203.0.113.1")]);

        Assert.Equal(["Mx example.com 10 mail.example.com", "Mx example.org 10 mail.example.com"], sets.Select(Describe));
    }

    [Fact]
    public void Proxied_cloudflare_addresses_want_the_automatic_ttl_cloudflare_keeps_and_the_rest_dns_ttl()
    {
        var configuration = TestEnvironment.LoadValid(
            ("MAIL_HOSTNAME", "mail.example.com"), ("MAIL_DOMAINS", "example.com"), ("DNS_PROVIDER", "cloudflare"),
            ("CLOUDFLARE_API_TOKEN", "token"), ("CLOUDFLARE_PROXIED", "true"), ("DNS_TTL", "3600"), ("DNS_RECORDS", "a,mx"));

        var sets = DesiredRecords.Compute(configuration, [], [IPAddress.Parse("203.0.113.1")]);

        Assert.Equal([("A", 300), ("Mx", 3600)], sets.Select(s => (s.Kind.ToString(), s.Ttl)));
    }

    private static string Describe(DesiredRecordSet set) => $"{set.Kind} {set.Name} {string.Join('|', set.Values)}";
}

using MailRelay.RateLimiting;

namespace MailRelay.Tests.RateLimiting;

public sealed class PublicSuffixListTests
{
    private const string SmallList = """
        // ===BEGIN ICANN DOMAINS===
        com
        uk
        co.uk
        *.ck
        !www.ck
        *.kawasaki.jp
        !city.kawasaki.jp
        jp
        // ===END ICANN DOMAINS===
        // ===BEGIN PRIVATE DOMAINS===
        blogspot.com
        // ===END PRIVATE DOMAINS===
        """;

    private static PublicSuffixList Small(bool icannOnly) => PublicSuffixList.Parse(new StringReader(SmallList), icannOnly);

    [Theory]
    [InlineData("foo.co.uk", "foo.co.uk")]
    [InlineData("mx.foo.co.uk", "foo.co.uk")]
    [InlineData("a.b.example.com", "example.com")]
    [InlineData("MX.Example.COM.", "example.com")]
    [InlineData("host.shop.ck", "host.shop.ck")]
    [InlineData("a.b.www.ck", "www.ck")]
    [InlineData("mail.x.kawasaki.jp", "mail.x.kawasaki.jp")]
    [InlineData("mail.city.kawasaki.jp", "city.kawasaki.jp")]
    [InlineData("mx.example.unlistedtld", "example.unlistedtld")]
    public void Registrable_domain_follows_plain_wildcard_and_exception_rules(string host, string expected)
    {
        Assert.Equal(expected, Small(icannOnly: true).GetRegistrableDomain(host));
    }

    [Fact]
    public void A_public_suffix_itself_is_returned_unchanged()
    {
        Assert.Equal("co.uk", Small(icannOnly: true).GetRegistrableDomain("co.uk"));
    }

    [Fact]
    public void Private_section_rules_apply_only_when_asked_for()
    {
        Assert.Equal("blogspot.com", Small(icannOnly: true).GetRegistrableDomain("mx.me.blogspot.com"));
        Assert.Equal("me.blogspot.com", Small(icannOnly: false).GetRegistrableDomain("mx.me.blogspot.com"));
    }

    [Fact]
    public void The_embedded_list_knows_country_second_level_suffixes()
    {
        var list = PublicSuffixList.LoadEmbedded(icannOnly: true);

        Assert.True(list.RuleCount > 5000);
        Assert.Equal("example.com.au", list.GetRegistrableDomain("mx1.example.com.au"));
        Assert.Equal("example.co.jp", list.GetRegistrableDomain("mail.example.co.jp"));
        Assert.Equal("foo.co.uk", list.GetRegistrableDomain("foo.co.uk"));
    }

    [Fact]
    public void Unicode_rules_match_punycode_host_names()
    {
        // "公司.cn" is listed in Unicode; DNS hands us the ASCII form.
        var list = PublicSuffixList.LoadEmbedded(icannOnly: true);

        Assert.Equal("example.xn--55qx5d.cn", list.GetRegistrableDomain("mx.example.xn--55qx5d.cn"));
    }
}

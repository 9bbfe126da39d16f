using MailRelay.RateLimiting;

namespace MailRelay.Tests.RateLimiting;

public sealed class ProviderResolverTests
{
    private readonly ProviderResolver _resolver = new(PublicSuffixList.LoadEmbedded(icannOnly: true));

    [Theory]
    [InlineData("gmail-smtp-in.l.google.com", "google.com")]
    [InlineData("alt1.aspmx.l.google.com.", "google.com")]
    [InlineData("contoso-com.mail.protection.outlook.com", "outlook.com")]
    [InlineData("hotmail-com.olc.protection.outlook.com", "outlook.com")]
    [InlineData("mta5.am0.yahoodns.net", "yahoo.com")]
    [InlineData("mx-aol.mail.gm0.yahoodns.net", "yahoo.com")]
    [InlineData("mx01.mail.icloud.com", "icloud.com")]
    [InlineData("mx.foo.co.uk", "foo.co.uk")]
    public void Mx_hosts_normalise_to_their_provider(string mxHost, string provider)
    {
        Assert.Equal(new ProviderKey(provider), _resolver.FromMxHost(mxHost));
    }

    [Theory]
    [InlineData("gmail.com", "google.com")]
    [InlineData("googlemail.com", "google.com")]
    [InlineData("outlook.com", "outlook.com")]
    [InlineData("hotmail.co.uk", "outlook.com")]
    [InlineData("live.fr", "outlook.com")]
    [InlineData("msn.com", "outlook.com")]
    [InlineData("yahoo.com.au", "yahoo.com")]
    [InlineData("ymail.com", "yahoo.com")]
    [InlineData("aol.com", "yahoo.com")]
    [InlineData("me.com", "icloud.com")]
    [InlineData("mac.com", "icloud.com")]
    public void Consumer_domains_map_to_their_provider_before_any_mx_lookup(string domain, string provider)
    {
        Assert.Equal(new ProviderKey(provider), _resolver.ForDomain(domain));
    }

    [Fact]
    public void An_unknown_domain_is_its_own_registrable_domain_until_its_mx_is_learned()
    {
        Assert.Equal(new ProviderKey("example.co.uk"), _resolver.ForDomain("Mail.Example.co.uk"));

        var learned = _resolver.LearnMx("mail.example.co.uk", "aspmx.l.google.com");

        Assert.Equal(new ProviderKey("google.com"), learned);
        Assert.Equal(new ProviderKey("google.com"), _resolver.ForDomain("MAIL.example.co.uk"));
    }

    [Fact]
    public void The_learned_cache_stays_within_its_capacity()
    {
        var resolver = new ProviderResolver(PublicSuffixList.LoadEmbedded(icannOnly: true), cacheCapacity: 3);

        for (var i = 0; i < 10; i++)
        {
            resolver.LearnMx($"d{i}.example", "aspmx.l.google.com");
        }

        Assert.InRange(resolver.LearnedCount, 1, 3);
        Assert.Equal(new ProviderKey("google.com"), resolver.ForDomain("d9.example"));
    }
}

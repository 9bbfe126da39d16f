namespace MailRelay.Tests.Dns;

/// <summary>Test classes that share one dnsmasq.</summary>
[CollectionDefinition(Name)]
public sealed class DnsmasqTestGroup : ICollectionFixture<DnsmasqFixture>
{
    public const string Name = "dnsmasq";
}

namespace MailRelay.Tests.Inbound.Authentication;

/// <summary>Test classes that share one dnsmasq with the verification records.</summary>
[CollectionDefinition(Name)]
public sealed class AuthenticationDnsGroup : ICollectionFixture<AuthenticationDnsFixture>
{
    public const string Name = "inbound-authentication-dns";
}

namespace MailRelay.Tests.Support;

/// <summary>Test classes that share one BIND.</summary>
[CollectionDefinition(Name)]
public sealed class BindTestGroup : ICollectionFixture<BindFixture>
{
    public const string Name = "bind";
}

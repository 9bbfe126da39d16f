namespace MailRelay.Tests.Dns;

/// <summary>One dnsmasq with <see cref="DnsTestRecords.All"/> for every test class in the collection.</summary>
public sealed class DnsmasqFixture : IDisposable
{
    public DnsmasqServer Server { get; } = DnsmasqServer.Start(DnsTestRecords.All);

    public void Dispose() => Server.Dispose();
}

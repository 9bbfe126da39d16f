using System.Net;
using MailRelay.Configuration;
using MailRelay.Dkim;
using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Addresses;
using MailRelay.Tests.Configuration;
using MailRelay.Tests.Integration;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using static MailRelay.Tests.DnsPublishing.Rfc2136.BindProviders;

namespace MailRelay.Tests.DnsPublishing.Rfc2136;

/// <summary>
/// The publisher through the RFC 2136 provider into a real BIND, checked with dig: what resolvers see is what was
/// planned, and a second run against what the provider reads back finds nothing to change. (The daemon publishing by
/// itself, and a message it signs verified against BIND, are in <see cref="Rfc2136DaemonTests"/>.)
/// </summary>
[Collection(BindTestGroup.Name)]
public sealed class Rfc2136PublishingTests(BindFixture bind) : IDisposable
{
    private readonly BindServer _server = bind.Server;
    private readonly TestDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Published_records_resolve_through_BIND_and_a_second_run_changes_nothing()
    {
        var domain = UniqueName("pub");
        var configuration = TestEnvironment.LoadValid(
            ("MAIL_HOSTNAME", "mail." + domain), ("MAIL_DOMAINS", domain), ("DATA_DIR", _data.Path), ("DNS_OWNER_ID", "mail/relay"));
        // 2048 bits: the key record is over 255 octets, so it is split on the way out and joined on the way back.
        using (DkimKeyStore.Generate(2048, DkimKeyFiles.For(configuration.Dkim.KeyDirectory, domain, "mail"), NullLogger.Instance))
        {
        }

        var first = await Publisher(configuration).RunAsync(apply: true, CancellationToken.None);
        var second = await Publisher(configuration).RunAsync(apply: true, CancellationToken.None);

        Assert.Equal(
            [RecordKind.A, RecordKind.Mx, RecordKind.Spf, RecordKind.Dkim, RecordKind.Dmarc],
            first.Desired.Select(set => set.Kind).Order());
        Assert.All(first.Records, record => Assert.Equal(DnsRecordState.InSync, record.State));
        foreach (var set in first.Desired)
        {
            Assert.Equal(set.Values.Order(StringComparer.Ordinal), Resolved(set.Name, set.Type).Where(value => set.InSlot(new(set.Name, set.Type, value, set.Ttl))));
        }

        Assert.True(first.Desired.Single(set => set.Kind == RecordKind.Dkim).Values.Single().Length > 255);
        Assert.Empty(second.Changes);
        Assert.All(second.Records, record => Assert.Equal(DnsRecordState.InSync, record.State));
    }

    private DnsPublisher Publisher(RelayConfiguration configuration) =>
        new(configuration, Signed(_server), new StaticAddressSource([IPAddress.Parse("203.0.113.7")]), NullLogger<DnsPublisher>.Instance);

    /// <summary>What dig finds at a name, in <see cref="DnsRecord.Value"/>'s form: TXT strings joined, MX host without its dot.</summary>
    private List<string> Resolved(string name, DnsRecordType type) =>
        [.. _server.Dig(name, type.ToString(), "+short")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => type switch
            {
                DnsRecordType.TXT => string.Concat(QuotedStrings(line)),
                DnsRecordType.MX => line.TrimEnd('.'),
                _ => line,
            })
            .Order(StringComparer.Ordinal)];
}

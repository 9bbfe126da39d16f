using System.Text.Json.Nodes;
using MailRelay.Configuration;
using MailRelay.Dkim;
using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Kubernetes;
using MailRelay.Tests.Configuration;
using MailRelay.Tests.Integration;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.DnsPublishing.Kubernetes;

/// <summary>
/// The external-dns mode end to end against a fake Kubernetes API: the relay's address comes from its own
/// LoadBalancer Service, the records go into one DNSEndpoint, and when the Service's address changes the same
/// object is updated; the records wait as pending until external-dns has seen the generation.
/// </summary>
public sealed class ExternalDnsPublishingTests : IDisposable
{
    private const string Namespace = "mail";
    private const string Service = "relay-mail-relay";

    private readonly TestDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task The_DNSEndpoint_is_created_then_updated_in_place_when_the_Services_address_changes()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.SetService(Namespace, Service, "LoadBalancer", ["203.0.113.7"]);
        var configuration = Configure();
        var publisher = new DnsPublisher(
            configuration,
            new ExternalDnsProvider(configuration.Dns.ExternalDns!, configuration.Dns.OwnerId, api.CreateClient(), Namespace, NullLogger<ExternalDnsProvider>.Instance),
            new KubernetesServiceAddressSource(api.CreateClient(), Namespace, Service),
            NullLogger<DnsPublisher>.Instance);

        var created = await publisher.RunAsync(apply: true, CancellationToken.None);
        var first = api.DnsEndpoint(Namespace, "relay-mail-relay")!.DeepClone();
        api.MarkObserved(Namespace, "relay-mail-relay");
        var settled = await publisher.RunAsync(apply: true, CancellationToken.None);
        api.SetService(Namespace, Service, "LoadBalancer", ["203.0.113.8"]);
        var moved = await publisher.RunAsync(apply: true, CancellationToken.None);
        var second = api.DnsEndpoint(Namespace, "relay-mail-relay")!;

        Assert.All(created.Records, r => Assert.Equal(DnsRecordState.Pending, r.State));
        Assert.Equal(["203.0.113.7"], Targets(first, "mail.example.com", "A"));
        Assert.Equal(["v=spf1 ip4:203.0.113.7 a:mail.example.com ~all"], Targets(first, "example.com", "TXT"));
        Assert.Equal(["10 mail.example.com"], Targets(first, "example.com", "MX"));
        Assert.Empty(settled.Changes);
        Assert.All(settled.Records, r => Assert.Equal(DnsRecordState.InSync, r.State));
        Assert.Equal([DnsChangeAction.Update, DnsChangeAction.Update], moved.Changes.Select(c => c.Action));
        Assert.Equal(["203.0.113.8"], Targets(second, "mail.example.com", "A"));
        Assert.Equal(["v=spf1 ip4:203.0.113.8 a:mail.example.com ~all"], Targets(second, "example.com", "TXT"));
        Assert.Equal((string?)first["metadata"]!["uid"], (string?)second["metadata"]!["uid"]);
        Assert.Equal((long)first["metadata"]!["generation"]! + 1, (long)second["metadata"]!["generation"]!);
        Assert.Contains(moved.Records, r => r is { Kind: RecordKind.A, State: DnsRecordState.Pending });
        Assert.Equal(1, api.Calls.Count(c => c.Verb == "create"));
    }

    [Fact]
    public async Task The_daemon_keeps_its_DNSEndpoint_with_its_own_key_through_KUBECONFIG()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.SetService(Namespace, Service, "LoadBalancer", ["203.0.113.7"]);
        var environment = new Dictionary<string, string>
        {
            ["MAIL_HOSTNAME"] = "mail.example.com",
            ["MAIL_DOMAINS"] = "example.com",
            ["SMTP_LISTENERS"] = "127.0.0.1:0",
            ["ADMIN_LISTEN"] = "127.0.0.1:0",
            ["DATA_DIR"] = _data.Path,
            ["DKIM_KEY_SIZE"] = "1024",
            ["DNS_PROVIDER"] = "external-dns",
            ["DNS_KUBERNETES_SERVICE"] = Service,
            ["DNS_KUBERNETES_NAMESPACE"] = Namespace,
            ["DNS_ENDPOINT_NAME"] = "relay-mail-relay",
            ["DNS_OWNER_ID"] = "mail/relay",
            ["KUBECONFIG"] = FakeKubernetesApi.WriteKubeconfig(_data.Path, api, "default"),
        };
        await using var daemon = await DaemonProcess.StartAsync(environment);

        await AdminClient.MetricsWhenAsync(daemon, samples => Pending(samples) == 5, TimeSpan.FromSeconds(60));

        var endpoint = api.DnsEndpoint(Namespace, "relay-mail-relay")!;
        using var key = DkimKeyReader.ReadExisting(DkimKeyFiles.For(Path.Combine(_data.Path, "dkim-keys"), "example.com", "mail"))!;
        Assert.Equal([DkimTxtRecord.Value(key.PublicKeyBase64)], Targets(endpoint, "mail._domainkey.example.com", "TXT"));
        Assert.Equal(["203.0.113.7"], Targets(endpoint, "mail.example.com", "A"));
        Assert.Equal("mail/relay", (string?)endpoint["metadata"]!["annotations"]![ExternalDnsProvider.OwnerAnnotation]);
    }

    private static double Pending(IReadOnlyList<MetricSample> samples) =>
        samples.SingleOrDefault(s => s.Name == "mailrelay_dns_records" && s.Labels["state"] == "pending")?.Value ?? -1;

    private static string[] Targets(JsonNode endpoint, string name, string type) =>
        [.. endpoint["spec"]!["endpoints"]!.AsArray()
            .Where(e => (string?)e!["dnsName"] == name && (string?)e["recordType"] == type)
            .SelectMany(e => e!["targets"]!.AsArray().Select(t => (string)t!))];

    private RelayConfiguration Configure() => TestEnvironment.LoadValid(
        ("MAIL_HOSTNAME", "mail.example.com"), ("MAIL_DOMAINS", "example.com"), ("DATA_DIR", _data.Path), ("DKIM_ENABLED", "false"),
        ("DNS_PROVIDER", "external-dns"), ("DNS_ENDPOINT_NAME", "relay-mail-relay"), ("DNS_OWNER_ID", "mail/relay"), ("DNS_KUBERNETES_SERVICE", Service));
}

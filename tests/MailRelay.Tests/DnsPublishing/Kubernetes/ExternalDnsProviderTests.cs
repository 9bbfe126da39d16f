using System.Text.Json.Nodes;
using MailRelay.Configuration;
using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Kubernetes;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.DnsPublishing.Kubernetes;

/// <summary>The external-dns provider against a fake API server: the DNSEndpoint it writes, how it updates it, races and convergence.</summary>
public sealed class ExternalDnsProviderTests
{
    private const string Namespace = "mail";
    private const string EndpointName = "mail-relay";
    private const string OwnerId = "relay-eu1";

    private static readonly string[] Names = ["example.com", "mail.example.com", "_dmarc.example.com", "s1._domainkey.example.com"];

    private static readonly DnsRecord A1 = new("mail.example.com", DnsRecordType.A, "192.0.2.10", 300);
    private static readonly DnsRecord A2 = new("mail.example.com", DnsRecordType.A, "192.0.2.11", 300);
    private static readonly DnsRecord Mx = new("example.com", DnsRecordType.MX, "10 mail.example.com", 300);
    private static readonly DnsRecord Spf = new("example.com", DnsRecordType.TXT, "v=spf1 ip4:192.0.2.10 ip4:192.0.2.11 ~all", 300);
    private static readonly DnsRecord Dmarc = new("_dmarc.example.com", DnsRecordType.TXT, "v=DMARC1; p=none; rua=mailto:postmaster@example.com", 300);
    private static readonly DnsRecord Dkim = new("s1._domainkey.example.com", DnsRecordType.TXT, "v=DKIM1; k=rsa; p=" + new string('A', 392), 300);

    internal static ExternalDnsProvider CreateProvider(FakeKubernetesApi api) => new(
        new ExternalDnsSettings { EndpointName = EndpointName, Labels = new Dictionary<string, string> { ["dns.example.com/zone"] = "public" } },
        OwnerId,
        api.CreateClient(),
        Namespace,
        NullLogger<ExternalDnsProvider>.Instance);

    [Fact]
    public async Task Creates_the_DNSEndpoint_with_one_record_set_per_name_and_type_its_labels_and_owner()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        var provider = CreateProvider(api);

        Assert.Empty(await provider.ReadAsync(Names, CancellationToken.None));
        await provider.ApplyAsync([.. new[] { A1, A2, Mx, Spf, Dmarc, Dkim }.Select(DnsChange.Create)], CancellationToken.None);

        var resource = api.DnsEndpoint(Namespace, EndpointName)!;
        Assert.Equal("externaldns.k8s.io/v1alpha1", resource["apiVersion"]!.GetValue<string>());
        Assert.Equal("DNSEndpoint", resource["kind"]!.GetValue<string>());
        Assert.Equal(
            new Dictionary<string, string> { ["dns.example.com/zone"] = "public", ["app.kubernetes.io/managed-by"] = "mail-relay" },
            Strings(resource["metadata"]!["labels"]!));
        Assert.Equal(OwnerId, resource["metadata"]!["annotations"]![ExternalDnsProvider.OwnerAnnotation]!.GetValue<string>());
        Assert.Equal(
            [
                ("mail.example.com", "A", "192.0.2.10|192.0.2.11", 300L),
                ("example.com", "MX", "10 mail.example.com", 300L),
                ("example.com", "TXT", Spf.Value, 300L),
                ("_dmarc.example.com", "TXT", Dmarc.Value, 300L),
                ("s1._domainkey.example.com", "TXT", Dkim.Value, 300L),
            ],
            RecordSets(resource));
        Assert.Equal(
            [new KubernetesApiCall("get", FakeKubernetesApi.DnsEndpointGroup, "dnsendpoints", null, 404), new("create", FakeKubernetesApi.DnsEndpointGroup, "dnsendpoints", null, 201)],
            api.Calls);
    }

    [Fact]
    public async Task Reads_back_one_record_per_target_and_updates_the_same_object_when_records_change()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        var provider = CreateProvider(api);
        await provider.ApplyAsync([DnsChange.Create(A1), DnsChange.Create(Mx), DnsChange.Create(Dmarc)], CancellationToken.None);
        var uid = api.DnsEndpoint(Namespace, EndpointName)!["metadata"]!["uid"]!.GetValue<string>();

        var read = await provider.ReadAsync(Names, CancellationToken.None);
        Assert.Equal([A1, Mx, Dmarc], read);

        var movedA = A1 with { Value = "192.0.2.20", Ttl = 600 };
        await provider.ApplyAsync([DnsChange.Update(read[0], movedA), DnsChange.Delete(read[2]), DnsChange.Create(Spf)], CancellationToken.None);

        var resource = api.DnsEndpoint(Namespace, EndpointName)!;
        Assert.Equal(uid, resource["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal(2, resource["metadata"]!["generation"]!.GetValue<long>());
        Assert.Equal(
            [("mail.example.com", "A", "192.0.2.20", 600L), ("example.com", "MX", Mx.Value, 300L), ("example.com", "TXT", Spf.Value, 300L)],
            RecordSets(resource));
        Assert.Equal(1, api.Calls.Count(call => call.Verb == "create"));
        Assert.Equal(new KubernetesApiCall("update", FakeKubernetesApi.DnsEndpointGroup, "dnsendpoints", null, 200), api.Calls[^1]);
        Assert.Equal([movedA, Mx, Spf], await provider.ReadAsync(Names, CancellationToken.None));
    }

    [Fact]
    public async Task A_write_refused_for_a_stale_resourceVersion_is_retried_on_the_object_as_it_is_now()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        var provider = CreateProvider(api);
        await provider.ApplyAsync([DnsChange.Create(A1)], CancellationToken.None);
        // external-dns writes the status after its sync, which moves the resourceVersion the provider last saw.
        api.MarkObserved(Namespace, EndpointName);

        await provider.ApplyAsync([DnsChange.Create(A2)], CancellationToken.None);

        Assert.Equal(
            ["update 409", "get 200", "update 200"],
            api.Calls.Skip(2).Select(call => $"{call.Verb} {call.StatusCode}"));
        Assert.Equal([("mail.example.com", "A", "192.0.2.10|192.0.2.11", 300L)], RecordSets(api.DnsEndpoint(Namespace, EndpointName)!));
    }

    [Fact]
    public async Task A_write_that_keeps_conflicting_fails_after_the_bounded_attempts()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        var provider = CreateProvider(api);
        await provider.ApplyAsync([DnsChange.Create(A1)], CancellationToken.None);
        api.InterleaveDnsEndpointWrites(ExternalDnsProvider.MaxWriteAttempts);

        var failure = await Assert.ThrowsAsync<DnsProviderException>(() => provider.ApplyAsync([DnsChange.Create(A2)], CancellationToken.None));

        Assert.Contains("409", failure.Message, StringComparison.Ordinal);
        Assert.Equal(ExternalDnsProvider.MaxWriteAttempts, api.Calls.Count(call => call is { Verb: "update", StatusCode: 409 }));
        Assert.Equal([("mail.example.com", "A", "192.0.2.10", 300L)], RecordSets(api.DnsEndpoint(Namespace, EndpointName)!));
    }

    [Fact]
    public async Task A_DNSEndpoint_deleted_since_it_was_read_is_created_again()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        var provider = CreateProvider(api);
        await provider.ApplyAsync([DnsChange.Create(A1)], CancellationToken.None);
        api.DeleteDnsEndpoint(Namespace, EndpointName);

        await provider.ApplyAsync([DnsChange.Create(Mx)], CancellationToken.None);

        Assert.Equal(["update 404", "get 404", "create 201"], api.Calls.Skip(2).Select(call => $"{call.Verb} {call.StatusCode}"));
        Assert.Equal([("example.com", "MX", Mx.Value, 300L)], RecordSets(api.DnsEndpoint(Namespace, EndpointName)!));
    }

    [Fact]
    public async Task HasConverged_follows_observedGeneration_against_generation()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        var provider = CreateProvider(api);

        Assert.True(await provider.HasConvergedAsync(CancellationToken.None));
        await provider.ApplyAsync([DnsChange.Create(A1)], CancellationToken.None);
        Assert.False(await provider.HasConvergedAsync(CancellationToken.None));
        Assert.Equal(1, api.MarkObserved(Namespace, EndpointName));
        Assert.True(await provider.HasConvergedAsync(CancellationToken.None));

        await provider.ApplyAsync([DnsChange.Create(A2)], CancellationToken.None);
        Assert.False(await provider.HasConvergedAsync(CancellationToken.None));
        Assert.Equal(2, api.MarkObserved(Namespace, EndpointName));
        Assert.True(await provider.HasConvergedAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("relay-us1", "not DNS_OWNER_ID 'relay-eu1'")]
    [InlineData(null, "no mail-relay/owner-id annotation (managed by Helm)")]
    public async Task A_DNSEndpoint_of_another_owner_is_reported_and_left_alone(string? owner, string expected)
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        var metadata = new JsonObject { ["name"] = EndpointName, ["labels"] = new JsonObject { ["app.kubernetes.io/managed-by"] = "Helm" } };
        if (owner is not null)
        {
            metadata["annotations"] = new JsonObject { [ExternalDnsProvider.OwnerAnnotation] = owner };
        }

        api.SeedDnsEndpoint(Namespace, EndpointName, new JsonObject { ["metadata"] = metadata, ["spec"] = new JsonObject { ["endpoints"] = new JsonArray() } });
        var provider = CreateProvider(api);

        var failure = await Assert.ThrowsAsync<DnsProviderException>(() => provider.ReadAsync(Names, CancellationToken.None));
        await Assert.ThrowsAsync<DnsProviderException>(() => provider.ApplyAsync([DnsChange.Create(A1)], CancellationToken.None));

        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
        Assert.All(api.Calls, call => Assert.Equal("get", call.Verb));
    }

    /// <summary>The spec as (name, type, targets joined by '|', TTL), in order.</summary>
    internal static List<(string, string, string, long)> RecordSets(JsonObject resource) =>
        [.. resource["spec"]!["endpoints"]!.AsArray().Select(entry => (
            entry!["dnsName"]!.GetValue<string>(),
            entry["recordType"]!.GetValue<string>(),
            string.Join('|', entry["targets"]!.AsArray().Select(target => target!.GetValue<string>())),
            entry["recordTTL"]!.GetValue<long>()))];

    private static Dictionary<string, string> Strings(JsonNode node) =>
        node.AsObject().ToDictionary(pair => pair.Key, pair => pair.Value!.GetValue<string>());
}

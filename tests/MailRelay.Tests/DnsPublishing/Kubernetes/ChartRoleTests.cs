using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Kubernetes;
using MailRelay.Tests.Support;

namespace MailRelay.Tests.DnsPublishing.Kubernetes;

/// <summary>
/// Holds chart/templates/role.yaml and the code in step: the Role must grant every call the relay makes in a
/// publishing cycle and the scale-down check (else the daemon fails with 403 in a cluster) and nothing else (least
/// privilege).
/// </summary>
public sealed partial class ChartRoleTests
{
    private const string Namespace = "mail";

    [Fact]
    public async Task The_Role_grants_exactly_the_calls_of_a_create_update_converge_and_address_cycle()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.SetService(Namespace, "relay-mail-relay", "LoadBalancer", ["203.0.113.7"]);
        var addresses = new KubernetesServiceAddressSource(api.CreateClient(), Namespace, "relay-mail-relay");
        var provider = ExternalDnsProviderTests.CreateProvider(api);
        var names = new[] { "mail.example.com" };

        var first = new DnsRecord("mail.example.com", DnsRecordType.A, (await addresses.GetAddressesAsync(CancellationToken.None))[0].ToString(), 300);
        Assert.Empty(await provider.ReadAsync(names, CancellationToken.None));
        await provider.ApplyAsync([DnsChange.Create(first)], CancellationToken.None);
        Assert.False(await provider.HasConvergedAsync(CancellationToken.None));
        api.MarkObserved(Namespace, "mail-relay");
        Assert.True(await provider.HasConvergedAsync(CancellationToken.None));

        api.SetService(Namespace, "relay-mail-relay", "LoadBalancer", ["203.0.113.8"]);
        var moved = first with { Value = (await addresses.GetAddressesAsync(CancellationToken.None))[0].ToString() };
        var read = await provider.ReadAsync(names, CancellationToken.None);
        api.MarkObserved(Namespace, "mail-relay");
        await provider.ApplyAsync([DnsChange.Update(read.Single(), moved)], CancellationToken.None);
        Assert.False(await provider.HasConvergedAsync(CancellationToken.None));

        // The scale-down check's one call: a GET of the relay's own StatefulSet, the only route the fake serves.
        await using var statefulSets = await FakeStatefulSetApi.StartAsync(replicas: 2);
        var settings = new MailRelay.Configuration.HandoffSettings { Service = "relay-mail-relay-headless.mail.svc", KubernetesApi = statefulSets.BaseUri };
        using (var replicas = MailRelay.Handoff.KubernetesReplicaCountSource.Open(settings, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            Assert.Equal(2, await replicas.GetReplicasAsync("relay-mail-relay", CancellationToken.None));
        }

        Assert.Equal(1, statefulSets.Reads);
        var used = api.Calls.Select(call => (call.ApiGroup, call.RuleResource, call.Verb))
            .Append(("apps", "statefulsets", "get")).Distinct().Order().ToList();
        Assert.Equal(RoleRules().Order().ToList(), used);
    }

    /// <summary>(apiGroup, resource, verb) for every combination the Role's rules grant, all conditions taken as true.</summary>
    private static List<(string, string, string)> RoleRules()
    {
        var template = File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "chart", "templates", "role.yaml"));
        // Drop template comments, then every line with an action: what is left is the YAML of both branches.
        var yaml = string.Join('\n', TemplateComment().Replace(template, "").Split('\n').Where(line => !line.Contains("{{", StringComparison.Ordinal)));
        var role = KubernetesYaml.LoadAllFromString(yaml).OfType<V1Role>().Single();
        return [.. role.Rules.SelectMany(rule =>
            from apiGroup in rule.ApiGroups
            from resource in rule.Resources
            from verb in rule.Verbs
            select (apiGroup, resource, verb))];
    }

    [GeneratedRegex(@"\{\{-?\s*/\*.*?\*/\s*-?\}\}", RegexOptions.Singleline)]
    private static partial Regex TemplateComment();
}

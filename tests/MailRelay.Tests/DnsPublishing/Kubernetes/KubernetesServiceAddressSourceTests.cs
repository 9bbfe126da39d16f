using System.Net;
using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Kubernetes;
using MailRelay.Tests.Support;

namespace MailRelay.Tests.DnsPublishing.Kubernetes;

/// <summary>The relay's public addresses read from its own Service on a fake API server.</summary>
public sealed class KubernetesServiceAddressSourceTests
{
    private const string Namespace = "mail";
    private const string ServiceName = "relay-mail-relay";

    [Fact]
    public async Task Returns_the_load_balancer_ingress_ips_and_follows_a_change_of_ingress()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.SetService(Namespace, ServiceName, "LoadBalancer", ["203.0.113.7", "2001:db8::7"]);
        var source = new KubernetesServiceAddressSource(api.CreateClient(), Namespace, ServiceName);

        Assert.Equal("Service mail/relay-mail-relay", source.Description);
        Assert.Equal([IPAddress.Parse("203.0.113.7"), IPAddress.Parse("2001:db8::7")], await source.GetAddressesAsync(CancellationToken.None));

        api.SetService(Namespace, ServiceName, "LoadBalancer", ["203.0.113.99"]);

        Assert.Equal([IPAddress.Parse("203.0.113.99")], await source.GetAddressesAsync(CancellationToken.None));
        Assert.All(api.Calls, call => Assert.Equal(new KubernetesApiCall("get", "", "services", null, 200), call));
    }

    [Fact]
    public async Task A_load_balancer_without_ingress_yet_is_a_provider_failure_to_retry()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.SetService(Namespace, ServiceName, "LoadBalancer", []);
        var source = new KubernetesServiceAddressSource(api.CreateClient(), Namespace, ServiceName);

        var failure = await Assert.ThrowsAsync<DnsProviderException>(() => source.GetAddressesAsync(CancellationToken.None));

        Assert.Contains("the LoadBalancer has no address yet", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ingress_with_only_a_hostname_is_refused_with_the_fix()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.SetService(Namespace, ServiceName, "LoadBalancer", ["a1b2.elb.eu-west-1.amazonaws.com"]);
        var source = new KubernetesServiceAddressSource(api.CreateClient(), Namespace, ServiceName);

        var failure = await Assert.ThrowsAsync<DnsProviderException>(() => source.GetAddressesAsync(CancellationToken.None));

        Assert.Contains("only a hostname (a1b2.elb.eu-west-1.amazonaws.com)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("DNS_EXTERNAL_IPS", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task External_ips_of_a_service_without_load_balancer_are_its_addresses()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.SetService(Namespace, ServiceName, "ClusterIP", [], externalIps: ["198.51.100.4"]);
        var source = new KubernetesServiceAddressSource(api.CreateClient(), Namespace, ServiceName);

        Assert.Equal([IPAddress.Parse("198.51.100.4")], await source.GetAddressesAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_missing_service_names_the_variable_to_fix()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        var source = new KubernetesServiceAddressSource(api.CreateClient(), Namespace, ServiceName);

        var failure = await Assert.ThrowsAsync<DnsProviderException>(() => source.GetAddressesAsync(CancellationToken.None));

        Assert.Contains("HTTP 404", failure.Message, StringComparison.Ordinal);
        Assert.Contains("DNS_KUBERNETES_SERVICE", failure.Message, StringComparison.Ordinal);
    }
}

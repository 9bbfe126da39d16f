using System.Globalization;
using System.Net;
using MailRelay.DnsPublishing.Kubernetes;
using MailRelay.Tests.Delivery.Transport;
using MailRelay.Tests.Integration;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.DnsPublishing.Kubernetes;

/// <summary>Where the connection comes from (KUBECONFIG, then the pod's service account), its namespace, and the errors when there is none.</summary>
public sealed class KubernetesConnectionTests
{
    [Fact]
    public void Without_a_pod_or_KUBECONFIG_the_error_names_both()
    {
        using var directory = new TestDirectory();

        var failure = Assert.Throws<KubernetesConnectionException>(() => Open(null, [], directory.Path));

        Assert.Contains("KUBECONFIG is not set", failure.Message, StringComparison.Ordinal);
        Assert.Contains("KUBERNETES_SERVICE_HOST", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void In_a_pod_without_a_token_the_error_names_the_file_and_automountServiceAccountToken()
    {
        using var directory = new TestDirectory();

        var failure = Assert.Throws<KubernetesConnectionException>(() => Open(null, PodEnvironment(), directory.Path));

        Assert.Contains(Path.Combine(directory.Path, "token"), failure.Message, StringComparison.Ordinal);
        Assert.Contains("automountServiceAccountToken: true", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_KUBECONFIG_naming_no_existing_file_is_an_error_naming_it()
    {
        using var directory = new TestDirectory();
        var missing = Path.Combine(directory.Path, "nowhere.yaml");

        var failure = Assert.Throws<KubernetesConnectionException>(() => Open(null, new() { ["KUBECONFIG"] = missing }, directory.Path));

        Assert.Contains(missing, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_KUBECONFIG_reaches_the_API_with_its_token_in_its_contexts_namespace()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.SetService("from-context", "relay", "LoadBalancer", ["203.0.113.7"]);
        using var directory = new TestDirectory();
        var kubeconfig = WriteKubeconfig(directory.Path, api, "from-context");

        using var connection = Open(null, new() { ["KUBECONFIG"] = kubeconfig }, Path.Combine(directory.Path, "no-service-account"));
        var source = new KubernetesServiceAddressSource(connection.Client, connection.Namespace, "relay");

        Assert.Equal($"KUBECONFIG {kubeconfig}", connection.Source);
        Assert.Equal("from-context", connection.Namespace);
        Assert.Equal([IPAddress.Parse("203.0.113.7")], await source.GetAddressesAsync(CancellationToken.None));
    }

    [Fact]
    public void The_namespace_is_the_configured_one_then_the_pods_then_the_contexts()
    {
        using var directory = new TestDirectory();
        var kubeconfig = WriteKubeconfig(directory.Path, api: null, "from-context");
        var serviceAccount = Directory.CreateDirectory(Path.Combine(directory.Path, "serviceaccount")).FullName;
        var environment = new Dictionary<string, string> { ["KUBECONFIG"] = kubeconfig };

        using (var connection = Open(null, environment, serviceAccount))
        {
            Assert.Equal("from-context", connection.Namespace);
        }

        File.WriteAllText(Path.Combine(serviceAccount, "namespace"), "from-pod\n");
        using (var connection = Open(null, environment, serviceAccount))
        {
            Assert.Equal("from-pod", connection.Namespace);
        }

        using (var connection = Open("configured", environment, serviceAccount))
        {
            Assert.Equal("configured", connection.Namespace);
        }
    }

    [Fact]
    public async Task In_a_pod_the_service_account_token_and_CA_reach_the_API_over_https_in_the_pods_namespace()
    {
        using var certificate = TestCertificate.CreateForLoopback();
        await using var api = await FakeKubernetesApi.StartAsync(certificate);
        api.SetService("relay-ns", "relay", "LoadBalancer", ["203.0.113.7"]);
        using var directory = new TestDirectory();
        File.WriteAllText(Path.Combine(directory.Path, "token"), api.AccessToken);
        File.WriteAllText(Path.Combine(directory.Path, "ca.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory.Path, "namespace"), "relay-ns");
        var environment = new Dictionary<string, string>
        {
            ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1",
            ["KUBERNETES_SERVICE_PORT"] = api.BaseUri.Port.ToString(CultureInfo.InvariantCulture),
        };

        using var connection = Open(null, environment, directory.Path);
        var source = new KubernetesServiceAddressSource(connection.Client, connection.Namespace, "relay");

        Assert.Equal("in-cluster service account", connection.Source);
        Assert.Equal("relay-ns", connection.Namespace);
        Assert.Equal([IPAddress.Parse("203.0.113.7")], await source.GetAddressesAsync(CancellationToken.None));
    }

    private static KubernetesConnection Open(string? configuredNamespace, Dictionary<string, string> environment, string serviceAccountDirectory) =>
        KubernetesConnection.Open(configuredNamespace, name => environment.GetValueOrDefault(name), serviceAccountDirectory, NullLogger.Instance);

    private static Dictionary<string, string> PodEnvironment() => new() { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" };

    /// <summary>A kubeconfig whose one context points at <paramref name="api"/> (or a closed port) with its token.</summary>
    private static string WriteKubeconfig(string directory, FakeKubernetesApi? api, string @namespace) =>
        FakeKubernetesApi.WriteKubeconfig(directory, api, @namespace);
}

using System.Text.Json;
using MailRelay.Configuration;
using MailRelay.Delivery.Scheduling;
using MailRelay.RateLimiting;
using MailRelay.Tests.Queue;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>The bounded <c>provider</c> label of the attempts counter.</summary>
public sealed class ProviderLabelsTests
{
    [Fact]
    public void The_consumer_providers_and_the_providers_the_pacing_configuration_names_have_labels_of_their_own()
    {
        var labels = new ProviderLabels(Registry(
            rateLimitDomains: """{"mail.fakeprovider.test":{"maxConnections":2}}""",
            adaptiveDomains: """{"hotmail.co.uk":{"initialDelay":1000}}""",
            warmupDomains: ["warm.example"]));

        Assert.Equal(
            ["fakeprovider.test", "google.com", "icloud.com", "outlook.com", "warm.example", "yahoo.com"],
            labels.Named.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("gmail.com", "google.com")]
    [InlineData("hotmail.co.uk", "outlook.com")]
    [InlineData("aol.com", "yahoo.com")]
    [InlineData("me.com", "icloud.com")]
    [InlineData("sub.fakeprovider.test", "fakeprovider.test")]
    [InlineData("customer.example", "other")]
    public void An_unpaced_job_takes_the_provider_known_for_its_domain_without_a_lookup(string domain, string label)
    {
        var labels = new ProviderLabels(Registry(rateLimitDomains: """{"fakeprovider.test":{"maxConnections":2}}"""));

        Assert.Equal(label, labels.Of(Job(domain)));
    }

    [Fact]
    public void A_paced_job_takes_the_provider_the_pacer_classified_its_next_hop_as()
    {
        var labels = new ProviderLabels(Registry());

        // A custom domain whose MX the pacer's lookup found at Google; a consumer domain routed elsewhere by its MX.
        Assert.Equal("google.com", labels.Of(Job("workspace.example") with { Provider = new ProviderKey("google.com") }));
        Assert.Equal("other", labels.Of(Job("gmail.com") with { Provider = new ProviderKey("selfhosted.example") }));
    }

    [Fact]
    public void A_domain_learned_from_an_earlier_MX_lookup_is_labelled_by_its_provider_when_unpaced()
    {
        var registry = Registry();
        var labels = new ProviderLabels(registry);
        registry.Resolver.LearnMx("workspace.example", "aspmx.l.google.com");

        Assert.Equal("google.com", labels.Of(Job("workspace.example")));
    }

    [Fact]
    public void Any_number_of_distinct_domains_and_providers_gives_only_the_other_label()
    {
        var registry = Registry();
        var labels = new ProviderLabels(registry);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 5_000; i++)
        {
            registry.Resolver.LearnMx($"learned{i}.example", $"mx.host{i}.example");
            seen.Add(labels.Of(Job($"customer{i}.example")));
            seen.Add(labels.Of(Job($"learned{i}.example")));
            seen.Add(labels.Of(Job($"paced{i}.example") with { Provider = new ProviderKey($"provider{i}.example") }));
        }

        Assert.Equal(["other"], seen);
    }

    [Fact]
    public void Without_a_pacing_registry_only_the_pacer_classification_names_a_provider()
    {
        var labels = new ProviderLabels(null);

        Assert.Equal(["google.com", "icloud.com", "outlook.com", "yahoo.com"], labels.Named.Order(StringComparer.Ordinal));
        Assert.Equal("other", labels.Of(Job("gmail.com")));
        Assert.Equal("google.com", labels.Of(Job("gmail.com") with { Provider = new ProviderKey("google.com") }));
    }

    [Fact]
    public void A_domain_with_no_name_left_after_normalising_is_other_rather_than_an_error()
    {
        var labels = new ProviderLabels(Registry());

        Assert.Equal("other", labels.Of(Job(".")));
        Assert.Equal("other", labels.Of(Job(string.Empty)));
    }

    private static DeliveryJob Job(string domain) => new(null!, domain, [$"user@{domain}"]);

    private static PacingRegistry Registry(string rateLimitDomains = "{}", string adaptiveDomains = "{}", IReadOnlyList<string>? warmupDomains = null) =>
        new(
            new PacingOptions
            {
                // Off: the label set follows what the configuration names, whether or not pacing is on.
                RateLimit = new RateLimitSettings { Enabled = false, Global = Json("{}"), Domains = Json(rateLimitDomains), CustomDomains = Json("""{"custom.example":{"maxConnections":1}}""") },
                AdaptiveRate = new AdaptiveRateSettings { Enabled = false, Defaults = Json("{}"), Domains = Json(adaptiveDomains) },
                Warmup = WarmupSettings.Disabled with { Domains = warmupDomains ?? [] },
                DataDirectory = Path.GetTempPath(),
            },
            new Microsoft.Extensions.Time.Testing.FakeTimeProvider(SpoolFixtures.Start),
            NullLogger<PacingRegistry>.Instance);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}

using MailRelay.Tests.Integration;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>
/// <c>mailrelay_delivery_attempts_total</c> by outcome and provider, as the scheduler records attempts: paced jobs
/// under the provider the pacer classified their next hop as, unpaced ones under the provider known for their domain,
/// and every provider not named in advance as <c>other</c>.
/// </summary>
public sealed class AttemptsByProviderTests
{
    private const string Attempts = "mailrelay_delivery_attempts_total";

    [Fact]
    public async Task A_paced_delivery_counts_under_the_provider_its_next_hop_was_classified_as()
    {
        await using var harness = new SchedulerHarness(pacing: Paced());

        // As the MX lookups would find them: a custom domain hosted by Google, and one by a provider nobody configured.
        harness.Transport.Providers["workspace.test"] = "google.com";
        harness.Transport.Providers["smallshop.test"] = "smallhost.test";
        harness.Transport.Respond = (_, r) => r.StartsWith("later", StringComparison.Ordinal) ? FakeTransport.Deferred(r) : FakeTransport.Delivered(r);
        await harness.StartAsync();
        foreach (var recipient in new[] { "one@gmail.com", "two@workspace.test", "three@smallshop.test", "four@paced.test", "later@gmail.com" })
        {
            await harness.SubmitAsync("app@example.com", recipient);
        }

        for (var i = 0; i < 5; i++)
        {
            await harness.Events.NextAttemptAsync();
        }

        Assert.Equal(
            [("deferred", "google.com", 1), ("sent", "google.com", 2), ("sent", "other", 1), ("sent", "paced.test", 1)],
            await CountsAsync(harness));
    }

    [Fact]
    public async Task A_paced_delivery_counts_under_the_provider_it_was_paced_as_when_its_domain_moves_meanwhile()
    {
        await using var harness = new SchedulerHarness(pacing: Paced());
        harness.Transport.Providers["workspace.test"] = "google.com";

        // The delivery's own MX lookup finds the domain moved to a provider nobody configured, and the resolver learns it.
        harness.Transport.BeforeReply = (_, _) =>
        {
            harness.Pacing!.Resolver.LearnMx("workspace.test", "mx.selfhosted.test");
            return Task.CompletedTask;
        };
        await harness.StartAsync();
        var id = await harness.SubmitAsync("app@example.com", "user@workspace.test");

        await harness.Events.RemovedAsync(id);

        // Counted where pacing counted the send, so the two agree per provider.
        Assert.Equal([("sent", "google.com", 1)], await CountsAsync(harness));
    }

    [Fact]
    public async Task An_unpaced_delivery_counts_under_the_provider_known_for_its_domain()
    {
        await using var harness = new SchedulerHarness(pacing: Unpaced());
        harness.Transport.Providers["workspace.test"] = "google.com";
        await harness.StartAsync();
        var ids = new[]
        {
            await harness.SubmitAsync("app@example.com", "one@gmail.com"),
            await harness.SubmitAsync("app@example.com", "two@hotmail.co.uk"),
            await harness.SubmitAsync("app@example.com", "three@workspace.test"),
            await harness.SubmitAsync("app@example.com", "four@sub.paced.test"),
        };

        await harness.Events.RemovedAsync(ids);

        // No MX lookup of its own: a custom domain counts as other until pacing has learned its provider.
        Assert.Equal(
            [("sent", "google.com", 1), ("sent", "other", 1), ("sent", "outlook.com", 1), ("sent", "paced.test", 1)],
            await CountsAsync(harness));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Mail_to_many_distinct_domains_and_providers_adds_no_series_beyond_other(bool paced)
    {
        const int domains = 300;
        await using var harness = new SchedulerHarness(pacing: paced ? Paced() : Unpaced());
        for (var i = 0; i < domains; i += 2)
        {
            harness.Transport.Providers[$"d{i}.test"] = $"host{i}.test";
        }

        await harness.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < domains; i++)
        {
            ids.Add(await harness.SubmitAsync("app@example.com", $"user@d{i}.test"));
        }

        await harness.Events.RemovedAsync([.. ids]);

        Assert.Equal([("sent", "other", domains)], await CountsAsync(harness));
    }

    private static Func<TimeProvider, MailRelay.RateLimiting.PacingRegistry> Paced() =>
        PacingFixtures.Registry(adaptive: false, rateLimit: true, rateLimitDomains: """{"paced.test":{"maxConnections":4}}""");

    /// <summary>The registry the daemon always has, with pacing off: it names the configured providers all the same.</summary>
    private static Func<TimeProvider, MailRelay.RateLimiting.PacingRegistry> Unpaced() =>
        PacingFixtures.Registry(adaptive: false, rateLimit: false, rateLimitDomains: """{"paced.test":{"maxConnections":4}}""");

    private static async Task<List<(string Outcome, string Provider, int Count)>> CountsAsync(SchedulerHarness harness) =>
        [.. MetricSample.ParseAll(await harness.MetricsTextAsync())
            .Where(s => s.Name == Attempts)
            .Select(s => (s.Labels["outcome"], s.Labels["provider"], (int)s.Value))
            .Order()];
}

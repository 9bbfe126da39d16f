using MailRelay.Queue;
using MailRelay.Tests.Queue;
using MimeKit;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>
/// One transaction per next hop: the scheduler puts a message's recipients that share a next hop in one request,
/// up to DELIVERY_RECIPIENT_LIMIT, and records each recipient's outcome of that request on its own.
/// </summary>
public sealed class TransactionGroupingTests
{
    private static readonly DateTimeOffset T0 = SpoolFixtures.Start;

    [Fact]
    public async Task Recipients_at_domains_that_share_a_next_hop_go_in_one_request_and_another_next_hop_gets_its_own()
    {
        await using var harness = new SchedulerHarness();
        ShareNextHop(harness, "relay", "one.test", "two.test", "three.test");
        ShareNextHop(harness, "route:127.0.0.1:2526", "routed.test");
        await harness.StartAsync();

        var id = await harness.SubmitAsync("app@example.com", "a@one.test", "b@routed.test", "c@two.test", "d@three.test");
        await harness.Events.RemovedAsync(id);

        var requests = harness.Transport.Requests.Select(r => r.Request).ToList();
        Assert.Equal(2, requests.Count);
        var shared = requests.Single(r => r.Domain == "one.test");
        Assert.Equal(["a@one.test", "c@two.test", "d@three.test"], shared.Recipients);
        Assert.Equal(["b@routed.test"], requests.Single(r => r.Domain == "routed.test").Recipients);
    }

    [Fact]
    public async Task Recipients_over_the_limit_are_split_into_requests_of_at_most_the_limit_in_RCPT_order()
    {
        await using var harness = new SchedulerHarness(options => options with { RecipientLimit = 2 });
        await harness.StartAsync();

        var id = await harness.SubmitAsync("app@example.com", "r1@example.net", "r2@example.net", "r3@example.net", "r4@example.net", "r5@example.net");
        await harness.Events.RemovedAsync(id);

        var batches = harness.Transport.Requests.Select(r => r.Request.Recipients.ToArray()).OrderBy(r => r[0], StringComparer.Ordinal).ToList();
        Assert.Equal([["r1@example.net", "r2@example.net"], ["r3@example.net", "r4@example.net"], ["r5@example.net"]], batches);
    }

    [Fact]
    public async Task Mixed_outcomes_of_one_request_are_recorded_per_recipient_one_DSN_one_retry_and_no_resend_to_the_accepted()
    {
        await using var harness = new SchedulerHarness();
        ShareNextHop(harness, "relay", "one.test", "two.test", "three.test");
        harness.Transport.Respond = (_, recipient) => recipient switch
        {
            "gone@one.test" => FakeTransport.Failed(recipient),
            "later@two.test" when harness.Transport.For(recipient).Count == 1 => FakeTransport.Deferred(recipient),
            _ => FakeTransport.Delivered(recipient),
        };
        await harness.StartAsync();

        var id = await harness.SubmitAsync("app@example.com", "gone@one.test", "later@two.test", "ok@three.test");
        await harness.Events.NextAttemptAsync();

        var first = Assert.Single(harness.Transport.Requests, r => r.Request.Message.QueueId == id).Request;
        Assert.Equal(["gone@one.test", "later@two.test", "ok@three.test"], first.Recipients);
        var state = harness.StateOf(id);
        Assert.Equal(RecipientStatus.Failed, state.For("gone@one.test").Status);
        Assert.Equal(RecipientStatus.Deferred, state.For("later@two.test").Status);
        Assert.Equal(T0 + TimeSpan.FromMinutes(1), state.For("later@two.test").NextAttempt);
        Assert.Equal(RecipientStatus.Delivered, state.For("ok@three.test").Status);

        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.Events.RemovedAsync(id);
        // The DSN is a message of its own, delivered on its own schedule: wait until it is gone too.
        var dsnId = await harness.Events.RemovedMatchingAsync(removed => removed != id);

        Assert.Single(harness.Transport.For("gone@one.test"));
        Assert.Equal(2, harness.Transport.For("later@two.test").Count);
        Assert.Equal(["later@two.test"], harness.Transport.For("later@two.test")[1].Request.Recipients);
        Assert.Single(harness.Transport.For("ok@three.test"));
        var dsn = Assert.Single(harness.Transport.Requests, r => r.Request.Message.Envelope.Sender.Length == 0);
        Assert.Equal(dsnId, dsn.Request.Message.QueueId);
        var report = Assert.IsType<MultipartReport>(MimeMessage.Load(new MemoryStream(dsn.Content)).Body);
        var groups = Assert.IsType<MessageDeliveryStatus>(report[1]).StatusGroups.Skip(1).Where(g => g.Count > 0).ToList();
        Assert.Equal(["rfc822; gone@one.test"], groups.Select(g => g["Final-Recipient"]));
    }

    [Fact]
    public async Task Under_pacing_a_request_is_one_send_of_one_provider_and_other_providers_get_their_own_request()
    {
        await using var harness = new SchedulerHarness(pacing: PacingFixtures.Registry("""{"initialDelay":5000,"minDelay":1000}"""));
        ShareNextHop(harness, "relay", "gmail.com", "googlemail.com", "example.org");
        await harness.StartAsync();
        var first = await harness.SubmitAsync("app@example.com", "a@gmail.com", "b@example.org", "c@googlemail.com");
        await harness.Events.RemovedAsync(first);
        var second = await harness.SubmitAsync("app@example.com", "d@gmail.com");

        // Whether its slot is claimed before or after the clock moves, it is max(now, last slot + delay) = T0 + 5 s.
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        await harness.Events.RemovedAsync(second);

        var requests = harness.Transport.Requests.ToList();
        Assert.Equal(3, requests.Count);
        Assert.Equal(["a@gmail.com", "c@googlemail.com"], requests.Single(r => r.Request.Domain == "gmail.com" && r.Request.Recipients.Count == 2).Request.Recipients);
        Assert.Equal(["b@example.org"], requests.Single(r => r.Request.Domain == "example.org").Request.Recipients);

        // The two-recipient transaction took one adaptive slot: the next message to the provider goes one delay later.
        Assert.Equal(T0.AddSeconds(5), requests.Single(r => r.Request.Recipients.Contains("d@gmail.com")).At);
    }

    private static void ShareNextHop(SchedulerHarness harness, string hop, params string[] domains)
    {
        foreach (var domain in domains)
        {
            harness.Transport.NextHops[domain] = hop;
        }
    }
}

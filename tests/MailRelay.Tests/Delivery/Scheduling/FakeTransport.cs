using System.Collections.Concurrent;
using System.Net;
using MailRelay.Delivery;
using MailRelay.RateLimiting;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>
/// A delivery transport that answers from a rule per recipient, records every request with the message
/// bytes it would have sent, and counts how many requests run at once. As a destination classifier it
/// maps domains to providers from <see cref="Providers"/>, as MX lookups would; as the next-hop grouping it
/// groups domains by <see cref="NextHops"/> (each other domain its own next hop).
/// </summary>
internal sealed class FakeTransport : IDeliveryTransport, IDestinationClassifier, INextHopGrouping
{
    private int _current;
    private int _maxConcurrent;

    /// <summary>The answer for one recipient of a request; default: 250 2.0.0 accepted.</summary>
    public Func<DeliveryRequest, string, RecipientResult> Respond { get; set; } = (_, recipient) => Delivered(recipient);

    /// <summary>Runs before answering (to hold requests open, or to wait for cancellation).</summary>
    public Func<DeliveryRequest, CancellationToken, Task>? BeforeReply { get; set; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>The clock whose time each request records.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Domain → provider, as MX lookups would learn it; other domains use the resolver's own rules.</summary>
    public Dictionary<string, string> Providers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Domains the classifier cannot route now (as after a DNS failure).</summary>
    public HashSet<string> Unroutable { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Domain → next-hop key, as routes or known MX hosts would give it; other domains: the domain alone.</summary>
    public Dictionary<string, string> NextHops { get; } = new(StringComparer.OrdinalIgnoreCase);

    public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);

    public static RecipientResult Delivered(string recipient) =>
        new(recipient, RecipientOutcome.Delivered, new RemoteReply(250, "2.0.0", "Ok"), "mx.example.net", new IPEndPoint(IPAddress.Loopback, 25));

    public static RecipientResult Deferred(string recipient, string text = "try again later") =>
        new(recipient, RecipientOutcome.Deferred, new RemoteReply(451, "4.7.1", text), "mx.example.net", new IPEndPoint(IPAddress.Loopback, 25));

    public static RecipientResult Failed(string recipient, string text = "no such user") =>
        new(recipient, RecipientOutcome.Failed, new RemoteReply(550, "5.1.1", text), "mx.example.net", new IPEndPoint(IPAddress.Loopback, 25));

    public async Task<IReadOnlyList<RecipientResult>> DeliverAsync(DeliveryRequest request, CancellationToken cancellationToken)
    {
        var now = Interlocked.Increment(ref _current);
        try
        {
            int seen;
            while (now > (seen = Volatile.Read(ref _maxConcurrent)) && Interlocked.CompareExchange(ref _maxConcurrent, now, seen) != seen)
            {
            }

            var content = MailRelay.Tests.Queue.SpoolFixtures.ContentOf(request.Message);
            Requests.Enqueue(new RecordedRequest(request, content, Clock.GetUtcNow()));
            if (BeforeReply is not null)
            {
                await BeforeReply(request, cancellationToken);
            }

            return [.. request.Recipients.Select(r => Respond(request, r))];
        }
        finally
        {
            Interlocked.Decrement(ref _current);
        }
    }

    public ValueTask<ProviderKey?> ProviderOfAsync(string domain, ProviderResolver providers, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ProviderKey?>(Unroutable.Contains(domain) ? null
            : Providers.TryGetValue(domain, out var provider) ? providers.LearnMx(domain, "mx." + provider)
            : providers.ForDomain(domain));

    public string NextHopKeyOf(string domain) => NextHops.TryGetValue(domain, out var hop) ? hop : "domain:" + domain;

    /// <summary>Requests made for the given recipient.</summary>
    public List<RecordedRequest> For(string recipient) => [.. Requests.Where(r => r.Request.Recipients.Contains(recipient))];
}
